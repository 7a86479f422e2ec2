"""The relay hub: this process's live interview sessions and what they are wired to.

Built once in ``preppal/preppal.py`` (tests and the benchmark build their own) and passed
to the WebSocket route; nothing in the relay is a module-level registry. It carries the
state sink (live transcript into the meeting page), the backend factory, the timings, where
interviews are recorded, the metrics, and the coordination with other relay processes:

- **leases** (services/interviews/leases.py): a session holds its interview's lease; the hub renews
  all of them in one statement every ``lease_ttl_s / 5`` and lets go of any another
  process took over;
- **take-over**: a resume token for an interview held elsewhere asks the holder to let go
  (Redis pub/sub), then takes the lease once it is released, expired, or its holder gone;
- **sweep**: interviews whose lease expired more than the grace period ago and whose holder
  is gone become ERROR (transcript kept) — a slow holder keeps its interviews;
- **hand-over** on shutdown (SIGTERM): stop taking interviews, tell each client to
  reconnect now with a resume token, let go of the lease without finishing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Optional

from preppal import codes
from preppal.live.base import InterviewBrief, LiveBackend
from preppal.live.factory import open_backend
from preppal.models import Interview, InterviewStatus
from preppal.realtime.config import RelayConfig
from preppal.realtime.coordinator import Coordinator, LocalCoordinator
from preppal.realtime.metrics import RelayMetrics, log_state
from preppal.realtime.outcome import Failure, Released
from preppal.realtime.session import InterviewSession
from preppal.realtime.session_context import Resumed, SessionContext
from preppal.realtime.shutdown import install_sigterm_handover
from preppal.realtime.sink import NullSink, StateSink
from preppal.services.interviews import leases, lifecycle, transcripts
from preppal.services.interviews.worker_tokens import WorkerClaims, generate_worker_token
from preppal.services.pools import LEASES, RELAY
from preppal.services.recordings.store import RecordingStore

log = logging.getLogger(__name__)
ABANDONED_MESSAGE = "The connection was lost for too long and the interview was ended."


class RelayHub:
    def __init__(
        self,
        sink: Optional[StateSink] = None,
        *,
        config: RelayConfig = RelayConfig(),
        coordinator: Optional[Coordinator] = None,
        backend_factory: Callable[..., LiveBackend] = open_backend,
        recordings: Optional[RecordingStore] = None,
    ) -> None:
        """``recordings``: where live interviews are recorded (None, or PREPPAL_KEEP_RECORDINGS=0: not)."""
        self.sink: StateSink = sink or NullSink()
        self.config = config
        self.coordinator: Coordinator = coordinator or LocalCoordinator()
        self.backend_factory = backend_factory
        self.recordings = recordings
        self.metrics = RelayMetrics(lambda: len(self._sessions))
        self.accepting = True  # False once shutting down: new sockets go to other processes
        self._sessions: dict[str, InterviewSession] = {}
        self._tasks: list[asyncio.Task] = []

    @property
    def worker_id(self) -> str:
        return self.coordinator.worker_id

    def set_sink(self, sink: StateSink) -> None:
        """The app's sink needs the app, which needs the routes: set once the app exists."""
        self.sink = sink

    def configure(self, **changes: float) -> None:
        self.config = replace(self.config, **changes)

    def open_backend(self, brief: InterviewBrief, resume: Optional[dict] = None) -> LiveBackend:
        return self.backend_factory(brief, resume) if resume is not None else self.backend_factory(brief)

    def session_context(self) -> SessionContext:
        """What a session launched now gets of this process (the config, sink and store as they
        stand; the backend factory is looked up at each open, as before)."""
        return SessionContext(
            worker_id=self.worker_id,
            config=self.config,
            metrics=self.metrics,
            sink=self.sink,
            recordings=self.recordings,
            open_backend=self.open_backend,
            forget=self.forget,
        )

    def session(self, interview_id: str) -> Optional[InterviewSession]:
        return self._sessions.get(interview_id)

    @property
    def live_count(self) -> int:
        return len(self._sessions)

    # -- sessions -------------------------------------------------------------------------------
    def launch(self, interview: Interview, claims: WorkerClaims, resumed: Optional[Resumed] = None) -> InterviewSession:
        session = InterviewSession(self.session_context(), interview, claims, resumed)
        self._sessions[interview.id] = session
        task = asyncio.create_task(session.run(), name=f"relay-{interview.id}")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # errors are logged in run()
        return session

    def forget(self, session: InterviewSession) -> None:
        if self._sessions.get(session.interview_id) is session:
            del self._sessions[session.interview_id]

    async def take_over(self, interview_id: str, claims: WorkerClaims) -> Optional[InterviewSession]:
        """Resume a live interview held elsewhere (or by nobody) here; None if it cannot be.

        Waits for the holder to hand over (it is asked through the coordinator), or for its
        lease to run out when it does not answer (stopped); a gone holder's lease is taken at once.
        """
        me = self.worker_id
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.lease_ttl_s + 2.0
        asked_owner: Optional[str] = None
        gone_owner: Optional[str] = None
        how = "released"
        while True:
            lease = await RELAY.run(leases.lease_of, interview_id)
            if lease is None or lease.status != InterviewStatus.IN_PROGRESS:
                return None
            if lease.owner and lease.owner != me and not lease.expired():
                if asked_owner != lease.owner:
                    asked_owner = lease.owner
                    if not await self.coordinator.ask_release(lease.owner, interview_id):
                        gone_owner, how = lease.owner, "gone"
            elif lease.owner and lease.owner != me:
                how = "expired"
            if await RELAY.run(leases.take_over, interview_id, me, self.config.lease_ttl_s, gone_owner=gone_owner):
                break
            if loop.time() > deadline:
                return None
            await asyncio.sleep(0.05)
        self.metrics.takeovers.labels(how).inc()
        try:
            interview = await RELAY.run(lifecycle.get_interview_any, interview_id)
            lines = await RELAY.run(transcripts.get_transcript, interview_id)
        except Exception:
            await RELAY.run(leases.release, interview_id, me)
            raise
        if self.session(interview_id) is not None:  # a second resume raced this one here
            return None
        log_state(interview_id, "taken_over", worker=me, how=how, previous=lease.owner)
        return self.launch(interview, claims, Resumed.from_rows(interview, lines))

    def _on_release_request(self, interview_id: str) -> None:
        """Another process resumes ``interview_id``: let go of it (called on the event loop)."""
        session = self.session(interview_id)
        if session is not None:
            session.finish(Released("taken_over"))

    # -- process lifetime ---------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RelayHub]:
        """Coordination, lease renewal and the sweep while serving; hand-over on the way out.

        Registered as a Reflex lifespan task: it starts after granian forks each worker."""
        await self.coordinator.start(self._on_release_request)
        self.accepting = True
        install_sigterm_handover(self.hand_over_all)
        self._tasks = [
            asyncio.create_task(self._renew_loop(), name="relay-leases"),
            asyncio.create_task(self._sweep_loop(), name="relay-sweep"),
        ]
        log.info("relay hub %s started", self.worker_id)
        try:
            yield self
        finally:
            await self.hand_over_all()
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self.coordinator.close()

    async def hand_over_all(self) -> list[str]:
        """Shutdown: stop taking interviews and hand every live one over to other processes."""
        self.accepting = False
        sessions = [s for s in self._sessions.values() if not s.finished]
        for session in sessions:
            token = ""
            try:
                token = await RELAY.run(
                    generate_worker_token, session.user_id, session.interview_id, session.client_token, resume=True
                )
            except Exception as exc:  # the client then asks its page for a token, as after a drop
                log.warning("no resume token for %s: %r", session.interview_id, exc)
            session.finish(Released("shutdown", token))
        for session in sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.done.wait(), self.config.handover_s)
        return [s.interview_id for s in sessions]

    async def _renew_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.renew_s)
            held = {i for i, s in self._sessions.items() if s.holds_lease}
            if not held:
                continue
            try:
                # its own thread: a renewal never waits behind other work (pools.LEASES)
                kept = await LEASES.run(leases.renew, self.worker_id, held, self.config.lease_ttl_s)
            except Exception as exc:  # database hiccup: the lease has slack (ttl = 5 renewals)
                log.warning("lease renewal failed: %r", exc)
                continue
            for interview_id in held - kept:
                session = self.session(interview_id)
                if session is not None and session.holds_lease:
                    session.finish(Released("lease_lost"))

    async def _sweep_loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # a database or Redis hiccup must not kill the loop
                log.exception("abandoned-interview sweep failed; will retry")
            await asyncio.sleep(self.config.sweep_s)

    async def sweep(self) -> list[str]:
        """ERROR for interviews nobody resumed within the grace period after their holder went."""
        candidates = await RELAY.run(leases.abandoned, timedelta(seconds=self.config.grace_s))
        candidates = [c for c in candidates if c.interview_id not in self._sessions]
        if not candidates:
            return []
        # Ours but not live here (left behind by a session that failed to let go): gone too.
        gone = await self.coordinator.gone(c.owner for c in candidates) | {self.worker_id}
        dead = [c for c in candidates if c.owner in gone]
        swept = await RELAY.run(leases.mark_abandoned, dead, ABANDONED_MESSAGE, codes.TIMEOUT)
        for interview_id in swept:
            log_state(interview_id, "error", code=codes.TIMEOUT, why="abandoned", worker=self.worker_id)
        return swept

    async def stop_all(self, outcome: Failure, timeout_s: float = 5.0) -> list[str]:
        """End every session still here with ``outcome``; returns their interview ids (tests)."""
        sessions = list(self._sessions.values())
        for session in sessions:
            session.finish(outcome)
        for session in sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.done.wait(), timeout_s)
        return [s.interview_id for s in sessions]
