"""The relay hub: this process's live interview sessions and what they are wired to.

Built once in ``preppal/preppal.py`` (tests and the benchmark build their own) and passed
to the WebSocket route; nothing in the relay is a module-level registry. It carries the
state sink (live transcript into the meeting page), the backend factory, the timing
configuration, where interviews are recorded and what happens after an interview
completes (feedback).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from preppal.live.base import InterviewBrief, LiveBackend
from preppal.live.factory import open_backend
from preppal.models import Interview
from preppal.realtime.outcome import Failure
from preppal.realtime.session import InterviewSession
from preppal.realtime.sink import NullSink, StateSink
from preppal.services import feedback
from preppal.services.recording_store import RecordingStore
from preppal.services.tokens import WorkerClaims


@dataclass(frozen=True)
class RelayConfig:
    grace_s: float = 30.0  # how long a dropped candidate may take to come back
    heartbeat_s: float = 30.0
    detached_audio_s: float = 10.0  # AI audio kept for a candidate who is reconnecting
    end_wait_s: float = 5.0  # after EndRequest, how long the backend gets to confirm


class RelayHub:
    def __init__(
        self,
        sink: Optional[StateSink] = None,
        *,
        config: RelayConfig = RelayConfig(),
        backend_factory: Callable[[InterviewBrief], LiveBackend] = open_backend,
        on_completed: Callable[[str], None] = feedback.schedule_feedback,
        recordings: Optional[RecordingStore] = None,
    ) -> None:
        """``recordings``: where live interviews are recorded (None, or PREPPAL_KEEP_RECORDINGS=0: not)."""
        self.sink: StateSink = sink or NullSink()
        self.config = config
        self.open_backend = backend_factory
        self.on_completed = on_completed
        self.recordings = recordings
        self._sessions: dict[str, InterviewSession] = {}

    def set_sink(self, sink: StateSink) -> None:
        """The app's sink needs the app, which needs the routes: set once the app exists."""
        self.sink = sink

    def session(self, interview_id: str) -> Optional[InterviewSession]:
        return self._sessions.get(interview_id)

    @property
    def live_count(self) -> int:
        return len(self._sessions)

    def launch(self, interview: Interview, claims: WorkerClaims) -> InterviewSession:
        session = InterviewSession(self, interview, claims)
        self._sessions[interview.id] = session
        task = asyncio.create_task(session.run(), name=f"relay-{interview.id}")
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # errors are logged in run()
        return session

    def forget(self, session: InterviewSession) -> None:
        if self._sessions.get(session.interview_id) is session:
            del self._sessions[session.interview_id]

    async def stop_all(self, outcome: Failure, timeout_s: float = 5.0) -> list[str]:
        """End every session still here with ``outcome``; returns their interview ids."""
        sessions = list(self._sessions.values())
        for session in sessions:
            session.finish(outcome)
        for session in sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.done.wait(), timeout_s)
        return [s.interview_id for s in sessions]
