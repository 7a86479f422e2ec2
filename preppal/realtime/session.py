"""One live interview on this worker: the backend's lifecycle and the outcome → database.

The session outlives its socket (the :class:`~preppal.realtime.link.ClientLink` holds the
socket side). When the candidate's network drops, the backend stays open for the hub's
grace period; transcript keeps being assembled and persisted while the link keeps what the
candidate missed. Without a resume the interview is finished anyway (see
:mod:`preppal.realtime.outcome`), so a closed tab never leaves it IN_PROGRESS.

Extension points: every backend event passes through :meth:`InterviewSession._on_event`
(one place to tap AI audio or transcript), candidate audio through :meth:`on_audio`, and
client payloads other than audio/end arrive in :meth:`on_client_message`. The recording tap
(:mod:`preppal.realtime.recorder`) uses the first two.

Hot path (≈25–50 frames/s each way per candidate): no database work, no logging and no
locks per frame; database writes run in threads, state pushes in their own task.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Optional

from preppal import codes
from preppal.live.base import (
    AIAudio,
    AITranscript,
    BackendError,
    BackendEvent,
    Checkpoint,
    Ended,
    EndReason,
    EvidenceNote,
    Failed,
    Interrupted,
    LiveBackend,
    QuestionMarker,
    Ready,
    Retracted,
    UserTranscript,
)
from preppal.models import Interview, InterviewStatus
from preppal.realtime import codec, ending
from preppal.realtime.checkpoint import CheckpointSaver
from preppal.realtime.code_channel import CodeChannel
from preppal.realtime.link import ClientLink
from preppal.realtime.metrics import log_state
from preppal.realtime.outcome import Abandoned, Concluded, Failure, Outcome, Released
from preppal.realtime.pb import interview_pb2 as pb
from preppal.realtime.recorder import Recorder
from preppal.realtime.scorecard import ScorecardRecorder
from preppal.realtime.session_context import Resumed, SessionContext, brief_for
from preppal.realtime.sink import SinkPusher, TranscriptPush
from preppal.realtime.transcript import SegmentUpdate, TranscriptAssembler, TranscriptWriter
from preppal.services.errors import AlreadyLive
from preppal.services.interviews import lifecycle
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.interviews.worker_tokens import WorkerClaims
from preppal.services.pools import RELAY
from preppal.settings import get_settings

log = logging.getLogger(__name__)


class InterviewSession:
    """The per-interview actor on this worker. Created and started by :meth:`RelayHub.launch`."""

    def __init__(
        self, ctx: SessionContext, interview: Interview, claims: WorkerClaims, resumed: Optional[Resumed] = None
    ) -> None:
        self.interview_id = interview.id
        self.user_id = claims.user_id
        self.client_token = claims.client_token
        self.owner = ctx.worker_id
        self._resumed = resumed
        elapsed = resumed.elapsed_s if resumed else 0.0
        self.max_session_s = get_settings().max_session_s
        self._remaining_s = max(1.0, self.max_session_s - elapsed)
        self._ctx = ctx
        self._config = ctx.config
        self._metrics = ctx.metrics
        self._brief = brief_for(interview, int(self._remaining_s))
        self.link = ClientLink(interview.id, self, detached_audio_s=ctx.config.detached_audio_s)
        self._pusher = SinkPusher(ctx.sink, claims.client_token, interview.id)
        self._assembler = TranscriptAssembler()
        if resumed:
            self._assembler.continue_from(resumed.lines)
        self._writer = TranscriptWriter(interview.id, self.owner, self._lease_lost)
        # Question markers and evidence notes (realtime/scorecard.py): stored like transcript lines.
        self.scorecard = ScorecardRecorder(
            self._brief, self.owner, self._assembler.elapsed_ms, lambda: self._assembler.lines, self._lease_lost
        )
        self._checkpoints = CheckpointSaver(interview.id, self.owner, resumed.checkpoint if resumed else None)
        self.holds_lease = resumed is not None  # a take-over holds it already; a start takes it going live
        # The code editor's snapshots (realtime/code_channel.py): offered by on_client_message,
        # passed to the backend once live, stored with their time on the transcript's clock.
        self.code = CodeChannel(interview.id, self._assembler.elapsed_ms, owner=self.owner, on_lost=self._lease_lost)
        # recording tap (issue12a): both voices → a background writer (PREPPAL_KEEP_RECORDINGS=0: off)
        settings = get_settings()
        store = ctx.recordings if settings.keep_recordings else None
        if resumed is not None:
            # Taken over: the recording so far belongs to the process that started it (stored
            # when it let go, or from its spool after a crash); this one does not overwrite it.
            store = None
        self._recorder = Recorder(store, interview.id, checkpoint_s=settings.recording_checkpoint_s)
        self._backend: Optional[LiveBackend] = None
        self._ready: Optional[Ready] = None  # the backend's answer once live (SessionReady)
        self._outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._grace: Optional[asyncio.TimerHandle] = None
        self._end_requested = False
        self.live = False  # backend ready and status IN_PROGRESS: audio flows
        self.finished = False
        self.done = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    def finish(self, outcome: Outcome) -> None:
        """Resolve the session's outcome (the first one wins)."""
        if not self._outcome.done():
            self._outcome.set_result(outcome)

    async def run(self) -> None:
        timers: list[asyncio.Task] = []
        try:
            self._pusher.start()
            self._writer.start()
            self.scorecard.start()
            self.code.start()
            if not await self._start_backend():
                return
            loop = asyncio.get_running_loop()
            cap = loop.call_later(self._remaining_s, self.finish, Concluded(EndReason.TIMEOUT))
            timers = [asyncio.create_task(self._pump_backend())]
            outcome = await self._outcome
            cap.cancel()
            for task in timers:
                task.cancel()
            await self._conclude(outcome)
        except Exception:
            log.exception("relay for interview %s failed", self.interview_id)
            await self._conclude(Failure(codes.INTERNAL, codes.message_for(codes.INTERNAL)))
        finally:
            self.finished = True
            for task in timers:
                task.cancel()
            if self._grace is not None:
                self._grace.cancel()
            if self._backend is not None:
                await self._backend.close()
            await self.code.close()  # idempotent
            await self._pusher.close()
            await self._writer.drain()
            await self.scorecard.drain()
            await self._recorder.close()  # no-op when _conclude closed it
            await self._checkpoints.drain()
            self._ctx.forget(self)
            self.done.set()

    async def _start_backend(self) -> bool:
        """Open the interviewer and move PENDING → IN_PROGRESS (taking the lease), or continue
        a take-over from its checkpoint; False when the session is over."""
        resumed = self._resumed
        log_state(self.interview_id, "resuming" if resumed else "connecting", worker=self.owner)
        try:
            self._backend = self._ctx.open_backend(self._brief, resumed.checkpoint if resumed else None)
            ready = await self._backend.start()
        except BackendError as exc:
            log.info("interviewer unavailable for %s: %s", self.interview_id, exc.message)
            self._metrics.upstream_errors.labels("resume" if resumed else "start").inc()
            if exc.keeps_pending and resumed is None:  # the server's install is at fault: try again later
                await self.link.close(exc.code, exc.message)
                return False
            await self._fail(exc.code, exc.message)
            return False
        if resumed is None:
            try:
                await RELAY.run(
                    lifecycle.update_status,
                    self.interview_id,
                    InterviewStatus.IN_PROGRESS,
                    expected=InterviewStatus.PENDING,
                    interviewer=ready.interviewer,
                    lease=(self.owner, self._config.lease_ttl_s),
                )
            except Exception as exc:  # lost the compare-and-set: another worker started it
                log.info("interview %s could not go live: %s", self.interview_id, exc)
                code = codes.ANOTHER_LIVE if isinstance(exc, AlreadyLive) else codes.ALREADY_CONNECTED
                await self.link.close(code, codes.message_for(code))
                return False
            self.holds_lease = True
        self._assembler.start_clock(resumed.elapsed_s if resumed else 0.0)
        self._recorder.start(self._assembler.origin, ready.output_sample_rate)  # t=0 of transcript and recording
        self.live = True
        self.code.attach(self._backend)
        self._ready = ready
        self._catch_up_page()  # a take-over's page gets what the last process heard
        await self.link.ready()
        log_state(self.interview_id, "live", worker=self.owner, interviewer=ready.interviewer, resumed=bool(resumed))
        if self._end_requested:
            await self.on_end_request()
        return True

    async def _pump_backend(self) -> None:
        assert self._backend is not None
        async for event in self._backend.events():
            if not await self._on_event(event):
                return
        self.finish(Failure(codes.UPSTREAM, codes.message_for(codes.UPSTREAM)))

    async def _on_event(self, event: BackendEvent) -> bool:
        """Every backend event passes here, in order; False once the backend is done."""
        if isinstance(event, AIAudio):
            self._recorder.interviewer(event.pcm, event.sample_rate)
            start = time.perf_counter()
            await self.link.audio(codec.audio_response(event.pcm, event.sample_rate))
            self._metrics.down.observe(time.perf_counter() - start)
        elif isinstance(event, AITranscript):
            await self._transcript("AI", event.text, event.final)
        elif isinstance(event, UserTranscript):
            await self._transcript("USER", event.text, event.final, event.spoken_ms, event.ended_ms_ago, event.replaces)
        elif isinstance(event, Interrupted):
            self._recorder.interrupted()
            self.link.drop_held_audio()
            await self.link.control(codec.interrupted())
        elif isinstance(event, Retracted):
            await self._retract(event)
        elif isinstance(event, Ended):
            self.finish(Concluded(event.reason))
            return False
        elif isinstance(event, QuestionMarker | EvidenceNote):
            self.scorecard.offer(event)
        elif isinstance(event, Checkpoint):
            self._checkpoints.offer(event.state)
        elif isinstance(event, Failed):
            log.warning("interviewer failed for %s: %s %s", self.interview_id, event.code, event.detail)
            self._metrics.upstream_errors.labels("session").inc()
            self.finish(Failure(event.code, event.message))
            return False
        return True

    def _lease_lost(self) -> None:
        """Another process holds the interview now (found on a fenced write)."""
        self.finish(Released("lease_lost"))

    # -- from the client (through the link) ------------------------------------------------------
    async def on_audio(self, pcm: bytes) -> None:
        start = time.perf_counter()
        self._recorder.candidate(pcm)
        await self._backend.send_audio(pcm)  # type: ignore[union-attr]  # set before live
        self._metrics.up.observe(time.perf_counter() - start)

    async def on_end_request(self) -> None:
        """The candidate pressed End: the backend confirms with Ended (or we stop anyway)."""
        self._end_requested = True
        if not self.live or self._backend is None:
            return  # handled as soon as the backend is ready
        end_wait = self._config.end_wait_s
        asyncio.get_running_loop().call_later(end_wait, self.finish, Concluded(EndReason.USER_INITIATED))
        await self._backend.end()

    async def on_client_message(self, msg: pb.ClientToServerMessage) -> None:
        """A valid client payload other than audio and end: a code editor snapshot (the pump
        has already refused one over the size cap)."""
        if msg.HasField("code_snapshot"):
            self.code.offer(msg.code_snapshot.code, msg.code_snapshot.language)
        elif msg.HasField("hold_floor"):
            if self.live and self._backend is not None:
                await self._backend.hold_floor(msg.hold_floor.held)
        else:
            log.debug("interview %s: ignored client payload %s", self.interview_id, msg.WhichOneof("payload"))

    def session_ready(self) -> Optional[bytes]:
        """``SessionReady`` for the socket attached now (None until live). It carries the whole
        cap and the time since the interview first went live (across take-overs), so every
        page that joins shows the same clock."""
        if self._ready is None:
            return None
        ready, elapsed_ms = self._ready, self._assembler.elapsed_ms()
        return codec.session_ready(ready.interviewer, ready.output_sample_rate, self.max_session_s, elapsed_ms)

    def on_attached(self, client_token: str) -> None:
        """A socket attached (the first, a rejoin, or another tab taking the call over): the
        live transcript follows it to its page, which first gets everything said so far."""
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        if client_token:
            self.client_token = client_token  # a resume token minted later (hand-over) is for this page
        if self.live:
            self._catch_up_page()
            log_state(self.interview_id, "attached", worker=self.owner)

    def on_detached(self) -> None:
        if self.finished or self._outcome.done():
            return
        log_state(self.interview_id, "reconnecting", worker=self.owner)
        self._grace = asyncio.get_running_loop().call_later(self._config.grace_s, self.finish, Abandoned())

    # -- transcript ------------------------------------------------------------------------------
    async def _transcript(
        self, speaker: str, text: str, final: bool, spoken_ms: int = 0, ended_ms_ago: int = 0, replaces: int = 0
    ) -> None:
        update = self._assembler.feed(speaker, text, final, spoken_ms, ended_ms_ago, replaces)
        if update is not None:
            await self._emit_segment(update)

    async def _retract(self, event: Retracted) -> None:
        """The interviewer misjudged the end of the candidate's turn: its line leaves the page and
        the stored transcript (so feedback never sees it); the candidate's line is open again."""
        removed, reopened = self._assembler.retract(event.interviewer, event.reopen_user)
        for segment_id in removed:
            self._writer.delete(segment_id)
            self._pusher.offer(TranscriptPush(segment_id=segment_id, speaker="AI", removed=True))
            await self.link.retract(segment_id, codec.transcript_retracted(segment_id))
        if reopened is not None:
            u = reopened
            self._pusher.offer(TranscriptPush(segment_id=u.segment_id, speaker=u.speaker, text=u.text, reopened=True))
            await self.link.text(u.segment_id, codec.transcript_update(u.segment_id, u.speaker, u.text, False), False)

    async def _emit_segment(self, u: SegmentUpdate) -> None:
        if u.final:
            self._writer.put(self._assembler.lines[-1])
        self._pusher.offer(self._push(u))
        await self.link.text(u.segment_id, codec.transcript_update(u.segment_id, u.speaker, u.text, u.final), u.final)

    def _catch_up_page(self) -> None:
        """The page holding the call gets the whole transcript so far first (it may be a new
        tab, a reloaded one, or one whose last pushes were lost with another process)."""
        self._pusher.retarget(self.client_token, [self._push(u) for u in self._assembler.snapshot()])

    @staticmethod
    def _push(u: SegmentUpdate) -> TranscriptPush:
        return TranscriptPush(segment_id=u.segment_id, speaker=u.speaker, text=u.text, final=u.final)

    # -- the end -------------------------------------------------------------------------------------
    async def _conclude(self, outcome: Outcome) -> None:
        """Finish the interview in the database and tell the client (if one is attached)."""
        for update in self._assembler.close_all():
            await self._emit_segment(update)
        await self._writer.drain()
        await self.scorecard.drain()  # the scorecard too: feedback is built on it
        await self.code.close()  # the final code is stored before feedback starts
        await self._recorder.close()  # stored before COMPLETED starts the feedback job that reads it
        lines = list(self._assembler.lines)
        match outcome:
            case Failure(code=code, message=message):
                await self._fail(code, message)
            case Abandoned() if not lines:
                await self._fail(codes.TIMEOUT, codes.message_for(codes.TIMEOUT))
            case Abandoned():
                await self._complete(None, lines)
            case Concluded(reason=reason):
                await self._complete(reason, lines)
            case Released(why=why, resume_token=token):
                await self._hand_over(why, token)

    async def _hand_over(self, why: str, resume_token: str) -> None:
        """The interview goes on in another process: close the upstream without ending it,
        persist where it stands, let go of the lease, point the client elsewhere."""
        self._metrics.handovers.labels(why).inc()
        if self._backend is not None:
            await self._backend.close()
        await self._pusher.close()  # what this process heard reaches the page before the next holder pushes
        await self._checkpoints.drain()
        release = self.holds_lease and why != "lease_lost"
        await ending.hand_over(
            self.link,
            self.interview_id,
            why,
            resume_token,
            owner=self.owner,
            release=release,
            checkpoint=self._checkpoints.latest,
        )
        self.holds_lease = False

    async def _fail(self, code: int, message: str) -> None:
        owner = self.owner if self.holds_lease else None
        # before going live only a crash gets here: PENDING → ERROR
        expected = InterviewStatus.IN_PROGRESS if (self.live or self._resumed) else InterviewStatus.PENDING
        await ending.fail(
            self.link, self.interview_id, code, message, expected=expected, owner=owner, worker=self.owner
        )
        self.holds_lease = False

    async def _complete(self, reason: Optional[EndReason], lines: list[TranscriptLine]) -> None:
        await ending.complete(self.link, self.interview_id, reason, lines, self.owner)
        self.holds_lease = False
