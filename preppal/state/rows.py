"""Interviews as plain, display-ready dicts for state vars (formatting done once, server-side,
with the labels and formats of :mod:`preppal.display`)."""

from __future__ import annotations

from preppal import display, routes
from preppal.languages import get_language
from preppal.models import Interview, InterviewStatus, TranscriptEntry


def interview_row(interview: Interview) -> dict[str, str]:
    status = InterviewStatus(interview.status).value
    kind = display.type_label(interview.interview_type)
    created = display.when(interview.created_at)
    return {
        "id": interview.id,
        "status": status,
        "type_label": kind,
        "role": interview.role,
        "difficulty": display.difficulty_label(interview.difficulty),
        "patience": display.patience_label(interview.patience, interview.difficulty),
        "turn_mode": display.turn_mode_label(interview.hands_free),
        "created": created,  # UI format: lists of interviews read alike
        "created_local": display.when(interview.created_at, interview.language),  # its locale
        "started": display.when(interview.started_at),
        "ended": display.when(interview.ended_at),
        "language": display.language_label(interview.language),
        "language_name": get_language(interview.language).name,
        "lang": get_language(interview.language).code,  # html lang= of its transcript
        "duration": display.duration(interview.duration_s),
        "href": routes.interview_url(interview.id),
        "meeting_href": routes.meeting_url(interview.id),
        "feedback_href": routes.feedback_url(interview.id),
        "export_md": routes.export_url(interview.id, "md"),
        "export_pdf": routes.export_url(interview.id, "pdf"),
        "aria": f"{kind} interview for {interview.role}, {created}, {display.status_words(status)}",
        # names one interview among several of the same role (the delete dialog, its notice)
        "label": f"{interview.role} · {kind} · {created}",
        "job_description": interview.job_description,
        "resume_text": interview.resume_text,
        "interviewer": display.interviewer_label(interview.interviewer),
        "error_message": interview.error_message or "",
    }


def transcript_row(entry: TranscriptEntry) -> dict[str, str]:
    return {
        "speaker": display.speaker_label(entry.speaker),
        "is_user": "1" if entry.speaker == "USER" else "",
        "text": entry.text,
        "at": display.clock(entry.start_ms),
    }
