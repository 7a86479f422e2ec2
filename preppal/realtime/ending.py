"""How a live interview ends: the outcome written to the database, then the client's last frames.

Once a session's outcome is settled (session.py, ``InterviewSession._conclude``) it flushes
what it still holds (the open transcript lines, the writers, the code, the recording) and
hands the outcome to one of these:

- :func:`complete`: the transcript and COMPLETED in one transaction (which queues the
  feedback: services/interviews/transcripts.py), then ``SessionEnded`` and close 1000;
- :func:`fail`: ERROR with the code and message the candidate sees, then close with that code;
- :func:`hand_over`: the interview goes on in another process: let go of the lease (keeping
  the backend's checkpoint), send ``Reconnect`` with a resume token, close.

Database writes run on the relay's pool; one that fails is logged, never raised, so the
client still gets its last frames.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Optional

from preppal import codes
from preppal.live.base import EndReason
from preppal.models import InterviewStatus
from preppal.realtime import codec
from preppal.realtime.link import ClientLink
from preppal.realtime.metrics import log_state
from preppal.services.interviews import leases, lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.pools import RELAY

log = logging.getLogger(__name__)
DISCONNECTED = "DISCONNECTED"  # end_reason of a call whose candidate never came back


async def write(fn: Callable[..., Any], interview_id: str, *args: Any, **kwargs: Any) -> bool:
    """``fn(interview_id, *args, **kwargs)`` on the relay's pool; False (logged) when it fails."""
    try:
        await RELAY.run(fn, interview_id, *args, **kwargs)
        return True
    except Exception as exc:
        log.warning("%s for interview %s failed: %r", fn.__name__, interview_id, exc)
        return False


async def complete(
    link: ClientLink, interview_id: str, reason: Optional[EndReason], lines: list[TranscriptLine], owner: str
) -> None:
    """The call is over: store the transcript with COMPLETED (ERROR if it cannot be stored)."""
    label = reason.value if reason else DISCONNECTED
    if await write(transcripts.submit_transcript, interview_id, lines, end_reason=label, owner=owner):
        log_state(interview_id, "completed", worker=owner, reason=label, lines=len(lines))
    else:
        await write(
            lifecycle.update_status,
            interview_id,
            InterviewStatus.ERROR,
            expected=InterviewStatus.IN_PROGRESS,
            error_code=codes.INTERNAL,
            error_message="The transcript could not be saved.",
            owner=owner,
        )
        log_state(interview_id, "error", worker=owner, code=codes.INTERNAL)
    if link.attached:
        await link.control(codec.session_ended(reason))
        await link.close(codes.NORMAL)


async def fail(
    link: ClientLink,
    interview_id: str,
    code: int,
    message: str,
    *,
    expected: InterviewStatus,
    owner: Optional[str],
    worker: str,
) -> None:
    """The call failed: ERROR with ``code`` and ``message`` (``owner``: the lease holder's
    fenced write; None before the lease was taken), then close the socket with them."""
    await write(
        lifecycle.update_status,
        interview_id,
        InterviewStatus.ERROR,
        expected=expected,
        error_code=code,
        error_message=message,
        owner=owner,
    )
    log_state(interview_id, "error", worker=worker, code=code)
    await link.close(code, message)


async def hand_over(
    link: ClientLink,
    interview_id: str,
    why: str,
    resume_token: str,
    *,
    owner: str,
    release: bool,
    checkpoint: Optional[dict],
) -> None:
    """The interview goes on elsewhere: let go of the lease (``release``: this process still
    holds it) with the backend's last ``checkpoint``, and point the client at its next holder."""
    if release:
        await write(leases.release, interview_id, owner, checkpoint)
    log_state(interview_id, "handed_over", worker=owner, why=why)
    if link.attached:
        if resume_token:
            await link.control(codec.reconnect(resume_token))
        code = codes.SERVICE_RESTART if why == "shutdown" else codes.ALREADY_CONNECTED
        await link.close(code, "" if why == "shutdown" else codes.message_for(code))
