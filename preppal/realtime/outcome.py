"""How one interview session on this worker ends (typed, so each case is handled by name).

The session resolves exactly one outcome; :meth:`InterviewSession._conclude` turns it into
database state and what the candidate is told:

- :class:`Concluded` — the interview is over (End pressed, the AI closed, the time cap):
  transcript + COMPLETED.
- :class:`Failure` — the interviewer or the relay failed: ERROR with ``code``.
- :class:`Abandoned` — the candidate never came back within the grace period: COMPLETED
  (``DISCONNECTED``) when anything was said, ERROR 4010 otherwise.
- :class:`Released` — the interview goes on elsewhere (another worker took it over, or this
  one is shutting down): nothing is finished, the upstream is closed, the lease is let go.
"""

from __future__ import annotations

from dataclasses import dataclass

from preppal.live.base import EndReason


@dataclass(frozen=True, slots=True)
class Concluded:
    reason: EndReason


@dataclass(frozen=True, slots=True)
class Failure:
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class Abandoned:
    pass


@dataclass(frozen=True, slots=True)
class Released:
    why: str  # "taken over" | "shutdown" | "lease lost" (logs and metrics)
    resume_token: str = ""  # handed to the client so it reconnects at once (shutdown)


Outcome = Concluded | Failure | Abandoned | Released
