"""What the feedback page's player draws: the timeline under it and where clicks seek.

Pure functions of the transcript, the feedback metrics and the recording's length, so the
state stays thin and these are tested without a browser. Positions are CSS percentages of the
recording's length; times are milliseconds on the interview clock (= the recording's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from preppal.display import clock

_WORD = re.compile(r"[a-z0-9']+")


@dataclass
class Span:
    """A stretch of the timeline: a turn (``you``/``ai``) or a pause."""

    kind: str  # you | ai | pause
    left: str  # CSS percentage
    width: str
    at_ms: int  # where a click seeks
    title: str  # tooltip / accessible label


@dataclass
class Mark:
    """A point on the timeline (a filler word)."""

    left: str
    at_ms: int
    title: str


@dataclass
class CodeMark:
    """A code editor snapshot on the timeline: a click plays from there and shows that code."""

    left: str
    at_ms: int
    index: int  # the snapshot's step in the feedback page's code card
    title: str


def code_marks(at_ms: list[int], length_ms: int) -> list[CodeMark]:
    return [CodeMark(_pct(at, length_ms), int(at), i, f"Your code at {clock(at)}") for i, at in enumerate(at_ms)]


@dataclass
class Timeline:
    turns: list[Span]
    pauses: list[Span]
    fillers: list[Mark]
    length_ms: int
    has_audio_marks: bool  # pauses/fillers measured from the audio are present


def _number(value: Any) -> bool:
    """Marks come from stored JSON: draw only the well-formed ones."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _pct(ms: float, length_ms: int) -> str:
    return f"{max(0.0, min(100.0, 100.0 * ms / length_ms)):.3f}%"


def _width(start: float, end: float, length_ms: int, minimum: float = 0.25) -> str:
    return f"{max(minimum, min(100.0, 100.0 * (end - start) / length_ms)):.3f}%"


def timeline_length_ms(duration_ms: Optional[int], entries: list, interview_s: Optional[int]) -> int:
    """The recording's length; without its metadata (the writer died) the call's known extent."""
    if duration_ms:
        return duration_ms
    last = max((int(e.end_ms or e.start_ms or 0) for e in entries), default=0)
    return max(1, last, (interview_s or 0) * 1000)


def build_timeline(entries: list, metrics: dict[str, Any], length_ms: int) -> Timeline:
    turns = []
    for e in entries:
        if not (e.text or "").strip():
            continue
        is_user = str(getattr(e.speaker, "value", e.speaker)) == "USER"
        start, end = int(e.start_ms or 0), int(e.end_ms or e.start_ms or 0)
        who, kind = ("You", "you") if is_user else ("Interviewer", "ai")
        title = f"{who} · {clock(start)}"
        turns.append(Span(kind, _pct(start, length_ms), _width(start, end, length_ms), start, title))
    marks = metrics.get("timeline") or {}
    pauses = [
        Span(
            "pause",
            _pct(p["start_ms"], length_ms),
            _width(p["start_ms"], p["end_ms"], length_ms, 0.4),
            int(p["start_ms"]),
            f"Pause {(p['end_ms'] - p['start_ms']) / 1000:.1f} s at {clock(p['start_ms'])}",
        )
        for p in marks.get("pauses", [])
        if isinstance(p, dict) and _number(p.get("start_ms")) and _number(p.get("end_ms"))
    ]
    fillers = [
        Mark(_pct(f["at_ms"], length_ms), int(f["at_ms"]), f"“{f.get('word', '')}” at {clock(f['at_ms'])}")
        for f in marks.get("fillers", [])
        if isinstance(f, dict) and _number(f.get("at_ms"))
    ]
    return Timeline(turns, pauses, fillers, length_ms, bool(pauses or fillers))


def _words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def _match(needle: str, entries: list, speaker: str, *, first_words: int = 12) -> Optional[int]:
    """Start of the ``speaker`` line that contains most of ``needle``'s first words."""
    want = _words(needle)[:first_words]
    if not want:
        return None
    best, best_score = None, 0.0
    for e in entries:
        if str(getattr(e.speaker, "value", e.speaker)) != speaker:
            continue
        have = set(_words(e.text))
        score = sum(w in have for w in want) / len(want)
        if score > best_score:
            best, best_score = int(e.start_ms or 0), score
    return best if best_score >= 0.6 else None


def note_seek_ms(note: dict[str, Any], entries: list) -> int:
    """Where a question note's question was asked (or its answer given); -1 when not found."""
    at = _match(note.get("question", ""), entries, "AI")
    if at is None:
        at = _match(note.get("answer_quote", ""), entries, "USER", first_words=8)
    return -1 if at is None else at
