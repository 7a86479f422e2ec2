"""One relay per live interview: browser socket ⇄ live backend, transcript, status.

The relay outlives its socket. When the candidate's network drops, the backend stays open
for :data:`GRACE_S`; transcript keeps being assembled and persisted, AI audio is kept
(the newest :data:`DETACHED_AUDIO_S` seconds) and replayed to a socket that resumes with a
``resume`` token. Without a resume the interview is finished anyway, so a closed tab never
leaves it IN_PROGRESS: COMPLETED (end reason ``DISCONNECTED``) when anything was said,
ERROR 4010 otherwise.

Hot path (≈50 frames/s in, ≈25–50 audio chunks/s out per candidate): no database work,
no logging and no locks per frame; database writes run in threads, state pushes in their
own task (:class:`~preppal.realtime.sink.SinkPusher`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Optional

from starlette.websockets import WebSocket

from preppal.live.base import (
    AIAudio,
    AITranscript,
    BackendError,
    Ended,
    EndReason,
    Failed,
    Interrupted,
    InterviewBrief,
    LiveBackend,
    UserTranscript,
)
from preppal.live.factory import open_backend
from preppal.models import Interview, InterviewStatus
from preppal.realtime import codec, codes
from preppal.realtime.client_pump import pump_client
from preppal.realtime.sink import SinkPusher, TranscriptPush
from preppal.realtime.transcript import SegmentUpdate, TranscriptAssembler, TranscriptWriter
from preppal.services import feedback, interviews
from preppal.services.tokens import WorkerClaims
from preppal.settings import get_settings

log = logging.getLogger(__name__)

GRACE_S = 30.0  # how long a dropped candidate may take to come back
HEARTBEAT_S = 30.0
DETACHED_AUDIO_S = 10.0  # AI audio kept for a candidate who is reconnecting
END_WAIT_S = 5.0  # after EndRequest, how long the backend gets to confirm
DISCONNECTED = "DISCONNECTED"

_live: dict[str, Relay] = {}


def live_relay(interview_id: str) -> Optional[Relay]:
    return _live.get(interview_id)


def brief_for(interview: Interview, max_duration_s: int) -> InterviewBrief:
    return InterviewBrief(
        interview_id=interview.id,
        interview_type=str(getattr(interview.interview_type, "value", interview.interview_type)),
        role=interview.role,
        difficulty=str(getattr(interview.difficulty, "value", interview.difficulty)),
        job_description=interview.job_description,
        resume_text=interview.resume_text,
        max_duration_s=max_duration_s,
    )


class Relay:
    """The per-interview actor. Create with :meth:`launch`; attach sockets with :meth:`serve`."""

    def __init__(self, interview: Interview, claims: WorkerClaims) -> None:
        settings = get_settings()
        self.interview_id = interview.id
        self.max_session_s = settings.max_session_s
        self.grace_s = GRACE_S
        self._brief = brief_for(interview, settings.max_session_s)
        self._pusher = SinkPusher(claims.client_token, interview.id)
        self._assembler = TranscriptAssembler()
        self._writer = TranscriptWriter(interview.id)
        self._backend: Optional[LiveBackend] = None
        self._ws: Optional[WebSocket] = None
        self._serving: dict[int, asyncio.Task] = {}
        self._closing: dict[int, int] = {}  # socket id → close code we asked for
        self._outcome: asyncio.Future[tuple] = asyncio.get_running_loop().create_future()
        self._grace: Optional[asyncio.TimerHandle] = None
        self._ready_info: Optional[bytes] = None
        self._end_requested = False
        self._held_audio: deque[bytes] = deque()
        self._held_audio_bytes = 0
        self._held_text: dict[int, bytes] = {}
        self.live = False  # backend ready and status IN_PROGRESS: audio flows
        self.finished = False
        self.done = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def launch(cls, interview: Interview, claims: WorkerClaims) -> Relay:
        relay = cls(interview, claims)
        _live[interview.id] = relay
        task = asyncio.create_task(relay._run(), name=f"relay-{interview.id}")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # errors are logged in _run
        return relay

    def _finish(self, outcome: tuple) -> None:
        if not self._outcome.done():
            self._outcome.set_result(outcome)

    async def _run(self) -> None:
        timers: list[asyncio.Task] = []
        try:
            self._pusher.start()
            self._writer.start()
            if not await self._start_backend():
                return
            loop = asyncio.get_running_loop()
            cap = loop.call_later(self.max_session_s, self._finish, ("ended", EndReason.TIMEOUT))
            timers = [asyncio.create_task(self._pump_backend()), asyncio.create_task(self._heartbeat())]
            outcome = await self._outcome
            cap.cancel()
            for task in timers:
                task.cancel()
            await self._conclude(outcome)
        except Exception:
            log.exception("relay for interview %s failed", self.interview_id)
            await self._conclude(("failed", codes.INTERNAL, codes.message_for(codes.INTERNAL)))
        finally:
            self.finished = True
            for task in timers:
                task.cancel()
            if self._grace is not None:
                self._grace.cancel()
            if self._backend is not None:
                await self._backend.close()
            await self._pusher.close()
            await self._writer.drain()
            if _live.get(self.interview_id) is self:
                del _live[self.interview_id]
            self.done.set()

    async def _start_backend(self) -> bool:
        """Open the interviewer and move PENDING → IN_PROGRESS; False when the session is over."""
        try:
            self._backend = open_backend(self._brief)
            ready = await self._backend.start()
        except BackendError as exc:
            log.info("interviewer unavailable for %s: %s", self.interview_id, exc.message)
            await self._db(
                interviews.update_status,
                self.interview_id,
                InterviewStatus.ERROR,
                expected=InterviewStatus.PENDING,
                error_code=exc.code,
                error_message=exc.message,
            )
            self._pusher.offer(TranscriptPush(phase="error", message=exc.message))
            await self._close_client(exc.code, exc.message)
            return False
        try:
            await asyncio.to_thread(
                interviews.update_status,
                self.interview_id,
                InterviewStatus.IN_PROGRESS,
                expected=InterviewStatus.PENDING,
                interviewer=ready.interviewer,
            )
        except Exception as exc:  # lost the compare-and-set: another worker started it
            log.info("interview %s could not go live: %s", self.interview_id, exc)
            self._pusher.offer(TranscriptPush(phase="error", message=codes.message_for(codes.ALREADY_CONNECTED)))
            await self._close_client(codes.ALREADY_CONNECTED, codes.message_for(codes.ALREADY_CONNECTED))
            return False
        self._assembler.start_clock()
        self._ready_info = codec.session_ready(ready.interviewer, ready.output_sample_rate, self.max_session_s)
        self.live = True
        await self._send(self._ready_info)
        self._pusher.offer(TranscriptPush(phase="live"))
        if self._end_requested:
            await self.request_end()
        return True

    async def _pump_backend(self) -> None:
        assert self._backend is not None
        async for event in self._backend.events():
            if isinstance(event, AIAudio):
                await self._send(codec.audio_response(event.pcm, event.sample_rate), audio=True)
            elif isinstance(event, AITranscript):
                await self._transcript("AI", event.text, event.final)
            elif isinstance(event, UserTranscript):
                await self._transcript("USER", event.text, event.final, event.spoken_ms)
            elif isinstance(event, Interrupted):
                self._held_audio.clear()
                self._held_audio_bytes = 0
                await self._send(codec.interrupted())
            elif isinstance(event, Ended):
                self._finish(("ended", event.reason))
                return
            elif isinstance(event, Failed):
                log.warning("interviewer failed for %s: %s %s", self.interview_id, event.code, event.detail)
                self._finish(("failed", event.code, event.message))
                return
        self._finish(("failed", codes.UPSTREAM, codes.message_for(codes.UPSTREAM)))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            await self._db(interviews.heartbeat, self.interview_id)

    async def backend_audio(self, pcm: bytes) -> None:
        await self._backend.send_audio(pcm)  # type: ignore[union-attr]  # set before live

    async def request_end(self) -> None:
        """The candidate pressed End: the backend confirms with Ended (or we stop anyway)."""
        self._end_requested = True
        if not self.live or self._backend is None:
            return  # handled as soon as the backend is ready
        asyncio.get_running_loop().call_later(END_WAIT_S, self._finish, ("ended", EndReason.USER_INITIATED))
        await self._backend.end()

    # -- transcript ------------------------------------------------------------------------------
    async def _transcript(self, speaker: str, text: str, final: bool, spoken_ms: int = 0) -> None:
        update = self._assembler.feed(speaker, text, final, spoken_ms)
        if update is not None:
            await self._emit_segment(update)

    async def _emit_segment(self, u: SegmentUpdate) -> None:
        if u.final:
            self._writer.put(self._assembler.lines[-1])
        self._pusher.offer(TranscriptPush(segment_id=u.segment_id, speaker=u.speaker, text=u.text, final=u.final))
        data = codec.transcript_update(u.segment_id, u.speaker, u.text, u.final)
        if self._ws is None:
            self._held_text[u.segment_id] = data
        else:
            await self._send(data)

    async def _conclude(self, outcome: tuple) -> None:
        """Finish the interview in the database and tell the client (if one is attached)."""
        for update in self._assembler.close_all():
            await self._emit_segment(update)
        await self._writer.drain()
        lines = list(self._assembler.lines)
        kind = outcome[0]
        if kind == "failed" or (kind == "abandoned" and not lines):
            if kind == "failed":
                code, message = outcome[1], outcome[2]
            else:
                code, message = codes.TIMEOUT, codes.message_for(codes.TIMEOUT)
            await self._db(  # before going live only a crash gets here: PENDING → ERROR
                interviews.update_status,
                self.interview_id,
                InterviewStatus.ERROR,
                expected=InterviewStatus.IN_PROGRESS if self.live else InterviewStatus.PENDING,
                error_code=code,
                error_message=message,
            )
            self._pusher.offer(TranscriptPush(phase="error", message=message))
            await self._close_client(code, message)
            return
        reason: Optional[EndReason] = outcome[1] if kind == "ended" else None
        label = reason.value if reason else DISCONNECTED
        if await self._db(interviews.submit_transcript, self.interview_id, lines, end_reason=label):
            feedback.schedule_feedback(self.interview_id)  # background thread; never raises
        else:
            await self._db(
                interviews.update_status,
                self.interview_id,
                InterviewStatus.ERROR,
                expected=InterviewStatus.IN_PROGRESS,
                error_code=codes.INTERNAL,
                error_message="The transcript could not be saved.",
            )
        self._pusher.offer(TranscriptPush(phase="ended", end_reason=label))
        ws = self._ws
        if ws is not None:
            await self._send(codec.session_ended(reason))
            await self._close_socket(ws, codes.NORMAL)

    async def _db(self, fn, *args, **kwargs) -> bool:
        try:
            await asyncio.to_thread(fn, *args, **kwargs)
            return True
        except Exception as exc:
            log.warning("%s for interview %s failed: %r", fn.__name__, self.interview_id, exc)
            return False

    # -- the socket ----------------------------------------------------------------------------------
    async def _send(self, data: bytes, *, audio: bool = False) -> None:
        ws = self._ws
        if ws is not None:
            try:
                await ws.send_bytes(data)
                return
            except Exception as exc:
                log.debug("send to the client of %s failed: %r", self.interview_id, exc)
                self._detach(ws)
        if audio:
            self._hold_audio(data)

    def _hold_audio(self, data: bytes) -> None:
        self._held_audio.append(data)
        self._held_audio_bytes += len(data)
        limit = int(DETACHED_AUDIO_S * 48_000)  # 24 kHz PCM16
        while self._held_audio_bytes > limit and len(self._held_audio) > 1:
            self._held_audio_bytes -= len(self._held_audio.popleft())

    async def serve(self, ws: WebSocket) -> None:
        """Attach ``ws`` (taking over from an older socket) and pump its frames until it goes."""
        old, self._ws = self._ws, ws
        self._serving[id(ws)] = asyncio.current_task()
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        try:
            if old is not None:
                await self._close_socket(old, codes.ALREADY_CONNECTED, codes.message_for(codes.ALREADY_CONNECTED))
            if self._ready_info is not None:
                await self._replay(ws)
            await pump_client(self, ws)
        except asyncio.CancelledError:
            code = self._closing.get(id(ws))
            if code is None:
                raise  # not our doing: the server is shutting down
            await self._do_close(ws, code)
        finally:
            self._serving.pop(id(ws), None)
            self._closing.pop(id(ws), None)
            self._detach(ws)

    async def _replay(self, ws: WebSocket) -> None:
        """Bring a resumed socket up to date: ready, transcript so far, held AI audio."""
        held_text, self._held_text = self._held_text, {}
        held_audio, self._held_audio, self._held_audio_bytes = self._held_audio, deque(), 0
        for u in self._assembler.open_updates():
            held_text[u.segment_id] = codec.transcript_update(u.segment_id, u.speaker, u.text, False)
        for data in [self._ready_info, *(held_text[k] for k in sorted(held_text)), *held_audio]:
            await self._send(data)
        self._pusher.offer(TranscriptPush(phase="live"))

    def _detach(self, ws: WebSocket) -> None:
        if self._ws is not ws:
            return
        self._ws = None
        if self.finished or self._outcome.done():
            return
        self._pusher.offer(TranscriptPush(phase="reconnecting"))
        self._grace = asyncio.get_running_loop().call_later(self.grace_s, self._finish, ("abandoned",))

    async def reject(self, ws: WebSocket, code: int, *, close: bool) -> None:
        """Tell the client about bad input; close the socket when the case is fatal."""
        if close:
            await self._close_socket(ws, code, codes.message_for(code))
        else:
            try:
                await ws.send_bytes(codec.error(code, codes.message_for(code)))
            except Exception:
                self._detach(ws)

    async def _close_client(self, code: int, message: str) -> None:
        ws = self._ws
        if ws is not None:
            await self._close_socket(ws, code, message)

    async def _close_socket(self, ws: WebSocket, code: int, message: str = "") -> None:
        """Send ``ErrorResponse{code}`` (when ``message``) and close with ``code``.

        The close itself is done by the task that reads the socket: granian completes an
        ASGI ``websocket.close`` only once no ``receive`` is pending, so a close issued by
        another task would wait for the client's next frame. Other tasks cancel the reader,
        which then closes (see :meth:`serve`).
        """
        self._detach(ws)  # when it is the current socket: the grace period starts
        if id(ws) in self._closing:
            return
        self._closing[id(ws)] = code
        if message:
            try:
                await ws.send_bytes(codec.error(code, message))
            except Exception:
                pass  # already gone
        reader = self._serving.get(id(ws))
        if reader is None or reader is asyncio.current_task():
            await self._do_close(ws, code)
        else:
            reader.cancel()

    @staticmethod
    async def _do_close(ws: WebSocket, code: int) -> None:
        # No timeout: cancelling granian's close mid-way turns the 1000/4xxx the client should
        # see into 1005/1006 (seen under overload). A vanished client fails it at once.
        try:
            await ws.close(code)
        except Exception:
            pass  # already gone
