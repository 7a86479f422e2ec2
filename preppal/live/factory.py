"""Choose the live backend for an interview: Gemini when configured and working, else offline."""

from __future__ import annotations

import logging

from preppal import codes, gemini_status
from preppal.languages import offline_refusal
from preppal.live.base import BackendError, InterviewBrief, LiveBackend

log = logging.getLogger(__name__)
NOT_CONFIGURED = "No interviewer is configured"


def open_backend(brief: InterviewBrief, resume: dict | None = None) -> LiveBackend:
    """A not-yet-started backend; raises :class:`BackendError` (``codes.UPSTREAM``) when none is available.

    ``resume``: the last :class:`~preppal.live.base.Checkpoint` state of this interview (a
    take-over on another worker): the backend continues instead of opening the interview."""
    gemini_resume = resume is not None and "handle" in resume  # a Gemini session to continue
    if gemini_resume or gemini_status.interviewer_in_use() == "gemini":  # auto: not when the model check failed
        from preppal.live.gemini import GeminiBackend

        return GeminiBackend(brief, resume=resume)
    refusal = offline_refusal(brief.language)
    if refusal:  # never run another language's interview in English without saying so
        raise BackendError(codes.UPSTREAM, refusal)
    try:  # imported lazily: it loads speech models and may not be installed
        from preppal.live.offline import OfflineBackend
    except ImportError as exc:
        log.warning("offline interviewer unavailable: %s", exc)
        raise BackendError(codes.UPSTREAM, NOT_CONFIGURED) from None
    return OfflineBackend(brief, resume=resume)
