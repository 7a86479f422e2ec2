"""Whether the Gemini interviewer can run now, as the last model check found (one writer:
preppal/live/model_check.py, at start-up and on a timer; many readers).

With a key configured, ``auto`` means "Gemini when it works": when the check finds the key
refused or the configured Live model missing or retired, interviews start with the offline
interviewer and the dashboard says why in one sentence, instead of a 4002 after the
candidate pressed Start. ``PREPPAL_INTERVIEWER=gemini`` keeps Gemini whatever the check says
(the dashboard still says it is unavailable). Before the first check has answered, and
when Google could not be reached (a network blip is not a verdict), Gemini is assumed to
work.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from preppal.settings import get_settings


@dataclass(frozen=True, slots=True)
class GeminiStatus:
    available: bool | None  # None: not checked yet, or Google could not be reached
    sentence: str = ""  # for the dashboard, plain words, when not available
    detail: str = ""  # for the log: what exactly failed
    checked_at: float = 0.0  # time.time() of the check


UNCHECKED = GeminiStatus(None)
_lock = threading.Lock()
_status = UNCHECKED


def current() -> GeminiStatus:
    with _lock:
        return _status


def publish(status: GeminiStatus) -> GeminiStatus:
    """Record the newest check (an unreachable Google keeps the last verdict)."""
    global _status
    with _lock:
        if status.available is None and _status.available is not None:
            status = GeminiStatus(_status.available, _status.sentence, _status.detail, time.time())
        _status = status
        return status


def reset() -> None:
    """Forget the last check (tests)."""
    global _status
    with _lock:
        _status = UNCHECKED


def interviewer_in_use() -> str:
    """ "gemini" or "offline": the interviewer a new interview starts with now."""
    settings = get_settings()
    if not settings.use_gemini:
        return "offline"
    if settings.interviewer == "auto" and current().available is False:
        return "offline"
    return "gemini"


def notice() -> str:
    """The dashboard's sentence when a configured Gemini interviewer is unavailable ("" otherwise)."""
    settings = get_settings()
    status = current()
    if not settings.use_gemini or status.available is not False:
        return ""
    fallback = (
        "Interviews use the offline interviewer until it is fixed."
        if settings.interviewer == "auto"
        else "Interviews cannot start until it is fixed."
    )
    return f"The Gemini interviewer is unavailable: {status.sentence} {fallback}"
