"""The scorecard's path through the relay: backend events → dated entries → the database.

The live backends emit :class:`~preppal.live.base.QuestionMarker` and
:class:`~preppal.live.base.EvidenceNote` as the interview goes (Gemini through its note
tools, the offline interviewer from its question plan). Here each one is checked against
the interview's rubric, clipped to the table's limits, dated on the recording's clock, given
a key that makes a repeat a no-op, and queued for a writer thread fenced by the lease, like
transcript lines. ``offer`` is synchronous and does no I/O: a burst of notes never stalls
the loop that carries the audio.

Dating: a marker at its arrival; a note at the start of the candidate's line that holds
its quote (the last lines are searched), else at its arrival.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from preppal import rubric
from preppal.live.base import EvidenceNote, InterviewBrief, QuestionMarker
from preppal.realtime.transcript import TranscriptWriter
from preppal.services.interviews import scorecard_entries
from preppal.services.interviews.scorecard_entries import EVIDENCE, QUESTION, Entry
from preppal.services.interviews.transcripts import TranscriptLine

log = logging.getLogger(__name__)
_SEARCH_LINES = 12  # candidate lines searched for a note's quote (the current answer and a bit)
_WORDS = re.compile(r"[\w']+")


def normal(text: str) -> str:
    """Lower-case words only: how quotes and transcript lines are compared."""
    return " ".join(_WORDS.findall((text or "").lower().replace("’", "'")))


def entry_key(entry: Entry) -> str:
    """Same event, same key: a main marker per question number; anything else by content."""
    if entry.is_main_question:
        return f"q{entry.number}"
    body = "|".join((entry.kind, str(entry.number), entry.competency, entry.strength, normal(entry.text)))
    return f"{entry.kind[0]}{hashlib.sha256(body.encode()).hexdigest()[:32]}"


class ScorecardWriter(TranscriptWriter):
    """Stores (key, entry) pairs in order in a worker thread, fenced by the lease."""

    def _save(self, item: Any) -> None:
        key, entry = item
        scorecard_entries.record_entry(self._interview_id, key, entry, self._owner)


class ScorecardRecorder:
    """One interview's scorecard on this relay process."""

    def __init__(
        self,
        brief: InterviewBrief,
        owner: str | None,
        clock_ms: Callable[[], int],
        lines: Callable[[], Sequence[TranscriptLine]],
        on_lost: Callable[[], None] = lambda: None,
    ) -> None:
        self._rubric = rubric.rubric_for(
            brief.interview_type, brief.difficulty, job_description=brief.job_description, role=brief.role
        )
        self._clock_ms = clock_ms
        self._lines = lines
        self._writer = ScorecardWriter(brief.interview_id, owner, on_lost)
        self._seen: set[str] = set()
        self.number = 0  # the main question being discussed (as last marked here)
        self.dropped = 0

    def start(self) -> None:
        self._writer.start()

    def offer(self, event: QuestionMarker | EvidenceNote) -> bool:
        """Queue one event for storage; False when it is not a valid scorecard event or a repeat."""
        entry = self._entry(event)
        if entry is None:
            self.dropped += 1
            return False
        try:
            entry = scorecard_entries.clean(entry)
        except Exception as exc:
            log.info("scorecard event dropped: %s", exc)
            self.dropped += 1
            return False
        key = entry_key(entry)
        if key in self._seen:
            return False
        self._seen.add(key)
        if entry.is_main_question:
            self.number = max(self.number, entry.number)
        self._writer.put((key, entry))
        return True

    def _entry(self, event: QuestionMarker | EvidenceNote) -> Entry | None:
        if self._rubric.competency(event.competency) is None:
            return None  # the backends check their own input; this is the last line of defence
        now = self._clock_ms()
        if isinstance(event, QuestionMarker):
            if event.number < 1:
                return None
            return Entry(QUESTION, now, event.number, event.competency, event.followup, text=event.text)
        if not normal(event.quote):
            return None
        number = event.number or self.number
        return Entry(
            EVIDENCE,
            self.locate(event.quote, now),
            number,
            event.competency,
            False,
            event.strength,
            event.quote,
            event.why,
        )

    def locate(self, quote: str, default_ms: int) -> int:
        """Where the candidate said ``quote``: the start of their line that holds it."""
        wanted = normal(rubric.clip_quote(quote).rstrip("…"))
        if not wanted:
            return default_ms
        said = [line for line in self._lines() if str(getattr(line.speaker, "value", line.speaker)) == "USER"]
        for line in reversed(said[-_SEARCH_LINES:]):
            if wanted in normal(line.text):
                return line.start_ms
        return default_ms

    async def drain(self) -> None:
        """Store everything offered so far, then stop (before the interview is completed)."""
        await self._writer.drain()
