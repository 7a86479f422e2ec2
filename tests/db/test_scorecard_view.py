"""What the feedback page and history show of the scorecard (state/scorecard_view.py), and the
delivery card while the recording is still being measured (services/feedback/report.py)."""

from __future__ import annotations

from preppal.models import InterviewStatus, Speaker
from preppal.services.exports import render
from preppal.services.feedback.report import MEASURING, feedback_snapshot
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import open_store
from preppal.services.recordings.writer import FILES, MIX
from preppal.settings import get_settings
from preppal.state.scorecard_view import (
    competency_history,
    competency_rows,
    evidence_rows,
    question_rows,
    score_marks,
)
from tests.support.users import make_user

CARD = {
    "source": "live",
    "competencies": [
        {"key": "situation_task", "label": "Situation and task", "score": 85},
        {"key": "reflection", "label": "Reflection", "score": None},
    ],
    "questions": [
        {
            "number": 1,
            "text": "Tell me about a deadline?",
            "at_ms": 1_000,
            "competency": "situation_task",
            "followups": [{"text": "What happened?", "at_ms": 9_000}],
            "answered": True,
        },
    ],
    "notes": [
        {
            "competency": "situation_task",
            "label": "Situation and task",
            "strength": "strong",
            "quote": "my task was to ship it",
            "why": "A clear goal.",
            "at_ms": 4_000,
            "number": 1,
        },
        {"competency": "reflection", "strength": "weak", "quote": "nothing", "why": "No lesson.", "at_ms": -1},
    ],
    "review": [{"key": "situation_task", "score": 70, "comment": "Clear.", "differs_because": "Thin context."}],
}


def test_rows_for_the_scorecard_card() -> None:
    rows = competency_rows({"situation_task": 70}, CARD)
    assert [(r.label, r.value, r.differs) for r in rows] == [
        ("Situation and task", 70, "Thin context."),
        ("Reflection", -1, ""),  # listed, "not heard"
    ]
    legacy = competency_rows({"structure": 40, "communication": 70}, None)
    assert [(r.label, r.value) for r in legacy] == [("Structure (STAR)", 40), ("Communication", 70)]
    evidence = evidence_rows(CARD)
    assert [(e.strong, e.at, e.at_ms, e.competency) for e in evidence] == [
        (True, "0:04", 4_000, "Situation and task"),
        (False, "", -1, "Reflection"),
    ]
    [q] = question_rows(CARD)
    assert (q.text, q.at, q.competency, q.followups) == (
        "Tell me about a deadline?",
        "0:01",
        "Situation and task",
        ["0:09 · What happened?"],
    )
    marks = score_marks([q], evidence, 10_000)
    assert [(m.kind, m.left, m.at_ms) for m in marks] == [("question", "10.000%", 1_000), ("strong", "40.000%", 4_000)]


def test_history_points_per_interview_type() -> None:
    points = [
        {"date": "1 Dec", "type": "technical", "competencies": {"approach": 70, "testing": 40}},
        {"date": "2 Dec", "type": "behavioural", "competencies": {"structure": 60}},  # before the rubric: left out
        {"date": "3 Dec", "type": "technical", "competencies": {"approach": 80}},
    ]
    per_type = competency_history(points)
    assert per_type["technical"] == [
        {"date": "1 Dec", "approach": 70, "testing": 40},
        {"date": "3 Dec", "approach": 80},
    ]
    assert per_type["behavioural"] == [] and set(per_type) == {
        "behavioural",
        "technical",
        "system_design",
        "role_specific",
    }


def test_before_the_audio_analysis_ends_the_page_and_export_say_measuring(db) -> None:
    user = make_user()
    iid = lifecycle.create_interview(user.id, interview_type="behavioural", role="Engineer").id
    lifecycle.update_status(iid, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(
        iid,
        [
            TranscriptLine(1, Speaker.AI, "Tell me about a deadline?", 0, 2_000),
            TranscriptLine(2, Speaker.USER, "I shipped the release on time last spring.", 3_000, 7_000),
        ],
    )
    store = open_store(get_settings())
    without = feedback_snapshot(user.id, iid, store)
    assert without.metrics.get("source", "transcript") == "transcript"  # no recording: transcript timing
    store.put_bytes(iid, FILES[MIX], b"OggS" + b"\0" * 100)  # a recording exists; its analysis has not run
    snap = feedback_snapshot(user.id, iid, store)
    assert snap.metrics["source"] == MEASURING
    md = render.to_markdown(snap)
    assert "| Measured from | Measuring from your recording… (transcript timing until then) |" in md
    assert "no recording" not in md
