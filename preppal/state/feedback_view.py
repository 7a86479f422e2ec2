"""What the feedback page shows of one interview, row by row: scores, points, per-question
notes, the code stepper's steps and the transcript's turns with each answer's figures. Pure
functions of the stored report, tested without a browser (like ``scorecard_view`` and
``recording_view`` beside it); ``state/feedback.py`` holds the page's state and events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from preppal import display
from preppal.languages import DEFAULT_LANGUAGE
from preppal.services.interviews.code_snapshots import SnapshotTime


@dataclass
class ScoreRow:
    key: str
    label: str
    value: int


@dataclass
class PointRow:
    title: str
    detail: str
    quote: str


@dataclass
class NoteRow:
    number: int
    question: str
    answer_quote: str
    assessment: str
    better_answer: str
    code_note: str = ""
    at_ms: int = -1  # where the question was asked (seek target); -1 = not found in the transcript


@dataclass
class CodeStep:
    """One stored editor snapshot, as the stepper shows it (its code is fetched when shown)."""

    at: str  # m:ss on the interview's clock
    language: str  # language id (the viewer's highlighting)
    label: str  # language label
    at_ms: int = 0  # the same moment in ms (= the recording's clock): "play from here" seeks there
    snapshot_id: int = 0  # the stored row (code_snapshots.get_snapshot)


def code_steps(times: list[SnapshotTime]) -> list[CodeStep]:
    """The stepper's steps: the written snapshots (all of them when none was)."""
    kept = [t for t in times if not t.blank] or list(times)
    return [
        CodeStep(display.clock(t.at_ms), t.language, display.code_language_label(t.language), t.at_ms, t.id)
        for t in kept
    ]


@dataclass
class MetricRow:
    label: str
    value: str


@dataclass
class TurnRow:
    speaker: str
    is_user: bool
    at: str
    text: str
    stats: str  # per-answer metrics, candidate turns only
    answer: int  # 1-based answer number, 0 for interviewer turns
    at_ms: int = 0  # start on the interview clock (= the recording's): clicking seeks here


def answer_stats(a: dict[str, Any], language: str = DEFAULT_LANGUAGE, unit: str = "words") -> str:
    """One answer's figures, numbers in the interview's locale, length and pace in its unit."""
    short = "wpm" if unit == "words" else f"{unit}/min"
    parts = [f"{a['words']} {unit}"]
    if a.get("wpm") is not None:
        parts.append(f"{display.number(a['wpm'], language, digits=0)} {short}")
    parts.append(f"{a['fillers']} filler{'s' if a['fillers'] != 1 else ''}")
    if a.get("duration_s"):
        parts.append(f"{display.number(a['duration_s'], language, digits=0)} s")
    if a.get("pauses"):
        parts.append(f"{a['pauses']} pause{'s' if a['pauses'] != 1 else ''} ≥ 1 s")
    if a.get("longest_pause_ms", 0) >= 1000:
        parts.append(f"longest {display.number(a['longest_pause_ms'] / 1000, language)} s")
    return " · ".join(parts)


def build_turns(entries: list, metrics: dict[str, Any]) -> list[TurnRow]:
    """Consecutive segments of one speaker become one turn; candidate turns carry their metrics."""
    by_first_seq = {a["sequences"][0]: a for a in metrics.get("answers_detail", []) if a.get("sequences")}
    language, unit = metrics.get("language") or DEFAULT_LANGUAGE, metrics.get("unit") or "words"
    turns: list[TurnRow] = []
    last_user: Optional[bool] = None
    for e in entries:
        if not (e.text or "").strip():
            continue
        is_user = e.speaker == "USER"
        if turns and last_user == is_user:
            turns[-1].text += ("" if unit == "characters" else " ") + e.text.strip()  # no spaces in ja/zh
            continue
        answer = by_first_seq.get(e.sequence) if is_user else None
        turns.append(
            TurnRow(
                speaker=display.speaker_label(e.speaker),
                is_user=is_user,
                at=display.clock(e.start_ms),
                text=e.text.strip(),
                stats=answer_stats(answer, language, unit) if answer else "",
                answer=answer["index"] if answer else 0,
                at_ms=int(e.start_ms or 0),
            )
        )
        last_user = is_user
    return turns
