"""Dates and numbers of an interview's content in its own locale (preppal.display),
and the export that uses them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from preppal import display
from preppal.languages import CODES, get_language, offline_refusal
from preppal.live.base import InterviewBrief
from preppal.live.prompt import system_instruction
from preppal.services.exports.render import metric_rows

MOMENT = datetime(2026, 11, 6, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-US", "6 Nov 2026, 09:05 UTC"),  # English keeps the UI's own format
        ("es-US", "6 nov 2026, 09:05 UTC"),
        ("fr-FR", "6 nov. 2026, 09:05 UTC"),
        ("de-DE", "6. Nov. 2026, 09:05 UTC"),
        ("ja-JP", "2026年11月6日 9:05 UTC"),
        ("zh-CN", "2026年11月6日 09:05 UTC"),
    ],
)
def test_dates_follow_the_interview_locale(code: str, expected: str) -> None:
    assert display.when(MOMENT, code) == expected


def test_naive_datetimes_are_utc_and_none_is_a_dash() -> None:
    assert display.when(MOMENT.replace(tzinfo=None), "de-DE") == display.when(MOMENT, "de-DE")
    assert display.when(None, "fr-FR") == "—"


def test_numbers_follow_the_interview_locale() -> None:
    assert display.number(1234.5, "en-US") == "1,234.5"
    assert display.number(1234.5, "de-DE") == "1.234,5"
    assert display.number(1234.5, "fr-FR") == "1\u202f234,5"
    assert display.number(142.0, "pt-BR") == "142"
    assert display.number(None, "fr-FR") == "–"
    assert display.percent(0.42, "fr-FR") == "42\u00a0%"
    assert display.percent(0.42, "en-US") == "42%"


def test_metric_rows_use_locale_and_unit() -> None:
    m = {"language": "de-DE", "unit": "words", "wpm": 131.5, "longest_pause_ms": 1500, "candidate_share": 0.5}
    rows = dict(metric_rows(m))
    assert rows["Pace"] == "131,5 words/min" and rows["Longest pause in an answer"] == "1,5 s"
    assert rows["Your share of talk time"] == "50\u00a0%"
    ja = dict(metric_rows({"language": "ja-JP", "unit": "characters", "wpm": 310.0, "avg_answer_words": 85.0}))
    assert ja["Pace"] == "310 characters/min" and ja["Average answer"].startswith("85 characters")
    assert dict(metric_rows({"wpm": 140.5}))["Pace"] == "140.5 words/min"  # rows stored before languages


def test_labels_and_catalogue() -> None:
    assert display.language_label("es-US") == "Spanish (Español)" and display.language_label("en-US") == "English"
    assert [code for code, _ in display.language_options()] == list(CODES)
    assert get_language("xx-YY").code == "en-US" and get_language(None).code == "en-US"  # old rows: English
    assert all(offline_refusal(code) is None for code in CODES)  # the offline interviewer holds every language


def test_system_instruction_names_the_language() -> None:
    brief = InterviewBrief("iv", "technical", "Backend engineer", "standard", language="de-DE")
    text = system_instruction(brief)
    assert "Conduct the whole interview in German (Deutsch, de-DE)" in text and "RESPOND IN GERMAN" in text
