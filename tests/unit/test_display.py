"""Display labels and formats: one spelling everywhere (pages, rows, export, prompt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from preppal import display
from preppal.models import Difficulty, InterviewStatus, InterviewType, Speaker


def test_every_enum_value_has_a_label() -> None:
    for enum, choices in (
        (InterviewType, display.INTERVIEW_TYPES),
        (Difficulty, display.DIFFICULTIES),
        (InterviewStatus, display.STATUSES),
    ):
        assert [c.value for c in choices] == [m.value for m in enum]
        assert all(type(c.value) is str for c in choices)  # plain strings for the pages
    assert set(display.STATUS_COLORS) == {s.value for s in InterviewStatus}


def test_labels_accept_the_enum_or_its_stored_string() -> None:
    assert display.difficulty_label(Difficulty.WARMUP) == display.difficulty_label("warmup") == "Warm-up"
    assert display.type_label(InterviewType.SYSTEM_DESIGN) == "System design"
    assert display.type_label("role_specific") == "Role-specific"
    assert display.status_label("IN_PROGRESS") == "Live" and display.status_words(InterviewStatus.ERROR) == "failed"
    assert display.speaker_label(Speaker.USER) == "You" and display.speaker_label("AI") == "Interviewer"
    assert display.interviewer_label("offline") == "Offline voice"
    assert display.interviewer_label("gemini", long=True) == "Gemini Live interviewer"
    assert display.interviewer_label("") == "—" and display.type_label("new_kind") == "new_kind"
    assert display.provider_label("github") == "GitHub" and display.provider_label("google") == "Google"


def test_clock_is_m_ss_and_h_mm_ss_past_an_hour() -> None:
    assert display.clock(0) == "0:00"
    assert display.clock(4_999) == "0:04"
    assert display.clock(754_000) == "12:34"
    assert display.clock(3_723_000) == "1:02:03"
    assert display.clock(-5) == "0:00"


def test_dates_are_utc_in_one_format() -> None:
    moment = datetime(2026, 3, 6, 14, 5, tzinfo=UTC)
    assert display.when(moment) == "6 Mar 2026, 14:05 UTC"
    assert display.when(moment.replace(tzinfo=None)) == "6 Mar 2026, 14:05 UTC"  # SQLite hands back naive UTC
    assert display.when(moment.astimezone(timezone(timedelta(hours=2)))) == "6 Mar 2026, 14:05 UTC"
    assert display.when(None) == "—"
    assert display.day(moment) == "6 Mar" and display.file_day(moment) == "2026-03-06"


def test_durations() -> None:
    assert display.duration(None) == "not started"
    assert display.duration(42) == "42 s"
    assert display.duration(725) == "12 min 5 s"
    assert display.duration(3_900) == "1 h 5 min"
