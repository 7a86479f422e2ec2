"""Interviews as plain, display-ready dicts for state vars (formatting done once, server-side)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Optional

from preppal import locale_formats, routes
from preppal.languages import get_language
from preppal.models import Interview, InterviewStatus, TranscriptEntry

TYPE_LABEL = {
    "behavioural": "Behavioural",
    "technical": "Technical",
    "system_design": "System design",
    "role_specific": "Role-specific",
}
DIFFICULTY_LABEL = {"warmup": "Warm-up", "standard": "Standard", "intense": "Intense"}
INTERVIEWER_LABEL = {"gemini": "Gemini Live", "offline": "Offline voice"}
STATUS_WORDS = {"PENDING": "ready to start", "IN_PROGRESS": "live", "COMPLETED": "completed", "ERROR": "failed"}


def format_when(value: Optional[datetime]) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def format_duration(seconds: Optional[int]) -> str:
    if seconds is None:
        return "not started"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def interview_row(interview: Interview) -> dict[str, str]:
    status = InterviewStatus(interview.status).value
    kind = TYPE_LABEL.get(str(interview.interview_type.value), str(interview.interview_type.value))
    created = format_when(interview.created_at)
    return {
        "id": interview.id,
        "status": status,
        "type_label": kind,
        "role": interview.role,
        "difficulty": DIFFICULTY_LABEL.get(interview.difficulty.value, interview.difficulty.value),
        "created": created,  # UI format: lists of interviews read alike
        "created_local": locale_formats.format_when(interview.created_at, interview.language),  # its locale
        "started": format_when(interview.started_at),
        "ended": format_when(interview.ended_at),
        "language": locale_formats.language_label(interview.language),
        "language_name": get_language(interview.language).name,
        "lang": get_language(interview.language).code,  # html lang= of its transcript
        "duration": format_duration(interview.duration_s),
        "href": routes.interview_url(interview.id),
        "meeting_href": routes.meeting_url(interview.id),
        "feedback_href": routes.feedback_url(interview.id),
        "aria": f"{kind} interview for {interview.role}, {created}, {STATUS_WORDS.get(status, status)}",
        "job_description": interview.job_description,
        "resume_text": interview.resume_text,
        "interviewer": INTERVIEWER_LABEL.get(interview.interviewer, interview.interviewer) or "—",
        "error_message": interview.error_message or "",
    }


def transcript_row(entry: TranscriptEntry) -> dict[str, str]:
    minutes, secs = divmod(max(0, entry.start_ms) // 1000, 60)
    return {
        "speaker": "You" if entry.speaker == "USER" else "Interviewer",
        "is_user": "1" if entry.speaker == "USER" else "",
        "text": entry.text,
        "at": f"{minutes}:{secs:02d}",
    }
