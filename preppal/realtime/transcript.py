"""Assemble backend transcript deltas into numbered segments and persist the final ones.

Backends send deltas (``UserTranscript``/``AITranscript``): text is appended to that
speaker's open segment (after taking back the ``replaces`` characters a revised transcription
replaces), ``final=True`` closes it. Each segment gets the next id, which is
both the ``TranscriptUpdate.segment_id`` the browser keys on and the stored ``sequence``.
Final segments are written as they happen (one writer task, off the event loop), so a
crash or an upstream failure loses at most the segment being spoken.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from preppal.models import Speaker
from preppal.services.interviews import transcripts
from preppal.services.interviews.leases import LeaseLost
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.pools import RELAY

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SegmentUpdate:
    segment_id: int
    speaker: str  # "USER" | "AI"
    text: str  # the whole segment so far
    final: bool


@dataclass(slots=True)
class _Open:
    segment_id: int
    parts: list[str]
    start_ms: int


class TranscriptAssembler:
    """Turns deltas into segment updates; keeps the final lines for ``submit_transcript``."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._t0 = clock()
        self._next_id = 1
        self._open: dict[str, _Open] = {}
        self.lines: list[TranscriptLine] = []

    def start_clock(self, elapsed_s: float = 0.0) -> None:
        """Offsets are measured from the moment the interview went live (``elapsed_s`` ago)."""
        self._t0 = self._clock() - elapsed_s

    def continue_from(self, lines: list[TranscriptLine]) -> None:
        """Taken over from another process: keep its final lines, number on after them."""
        self.lines = list(lines)
        self._next_id = max((line.sequence for line in lines), default=0) + 1

    @property
    def origin(self) -> float:
        """The clock reading of t=0 (recordings use the same origin)."""
        return self._t0

    def _ms(self) -> int:
        return max(0, int((self._clock() - self._t0) * 1000))

    def elapsed_ms(self) -> int:
        """Now, on the transcript's clock (other per-interview records share it)."""
        return self._ms()

    def feed(
        self,
        speaker: str,
        delta: str,
        final: bool,
        spoken_ms: int = 0,
        ended_ms_ago: int = 0,
        replaces: int = 0,
    ) -> SegmentUpdate | None:
        """Apply one delta; returns the update to send, or None when nothing changed.

        ``spoken_ms`` (on a final) back-dates the segment's start when the speech began
        before its first text arrived; ``ended_ms_ago`` dates its end when the final arrives
        after the speech ended (a transcription that ran after the turn). ``replaces``: the
        delta replaces that many characters at the end of the open segment (never more than
        it holds)."""
        seg = self._open.get(speaker)
        if seg is None:
            if not delta.strip():
                return None  # nothing said: an empty final or a lone space opens nothing
            seg = self._open[speaker] = _Open(self._next_id, [], self._ms())
            self._next_id += 1
        revised = replaces > 0 and bool(seg.parts)
        if revised:
            kept = "".join(seg.parts)
            seg.parts = [kept[: max(0, len(kept) - replaces)]]
        if delta:
            seg.parts.append(delta)
        text = "".join(seg.parts).strip()
        if not final:
            return SegmentUpdate(seg.segment_id, speaker, text, False) if delta or revised else None
        del self._open[speaker]
        if not text:
            return None
        now = self._ms()
        end_ms = max(0, now - ended_ms_ago) if 0 < ended_ms_ago <= now else now
        start_ms = max(0, min(seg.start_ms, end_ms - spoken_ms)) if spoken_ms > 0 else seg.start_ms
        self.lines.append(TranscriptLine(seg.segment_id, Speaker(speaker), text, start_ms, end_ms))
        return SegmentUpdate(seg.segment_id, speaker, text, True)

    def retract(self, interviewer: bool, reopen_user: bool) -> tuple[list[int], SegmentUpdate | None]:
        """The interviewer misjudged the end of the candidate's turn (backend ``Retracted``).

        ``interviewer``: its segments after the candidate's last line are withdrawn (open or
        final); ``reopen_user``: that line is open again, so what follows continues it.
        Returns the withdrawn segment ids and the reopened segment (None when none)."""
        last_user = next((line for line in reversed(self.lines) if line.speaker == Speaker.USER), None)
        if last_user is None or "USER" in self._open:
            return [], None  # nothing to go back to (or the candidate's line never closed)
        removed: list[int] = []
        if interviewer:
            ai = self._open.get("AI")
            if ai is not None and ai.segment_id > last_user.sequence:
                removed.append(self._open.pop("AI").segment_id)
            while self.lines and self.lines[-1].speaker == Speaker.AI and self.lines[-1].sequence > last_user.sequence:
                removed.append(self.lines.pop().sequence)
        reopened = None
        if reopen_user and self.lines and self.lines[-1] is last_user:
            self.lines.pop()
            self._open["USER"] = _Open(last_user.sequence, [last_user.text], last_user.start_ms)
            reopened = SegmentUpdate(last_user.sequence, "USER", last_user.text, False)
        return sorted(removed), reopened

    def close_all(self) -> list[SegmentUpdate]:
        """Finalize every open segment (the session is ending)."""
        out = []
        for speaker in list(self._open):
            update = self.feed(speaker, "", True)
            if update is not None:
                out.append(update)
        return out

    def snapshot(self) -> list[SegmentUpdate]:
        """The whole transcript so far: every final line, then the open segments' text (what a
        page that takes the call over is sent first)."""
        finals = [SegmentUpdate(line.sequence, line.speaker.value, line.text, True) for line in self.lines]
        open_ = [
            SegmentUpdate(seg.segment_id, speaker, text, False)
            for speaker, seg in self._open.items()
            if (text := "".join(seg.parts).strip())
        ]
        return finals + sorted(open_, key=lambda u: u.segment_id)


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """A stored line to delete (see :meth:`TranscriptWriter.delete`)."""

    sequence: int


class TranscriptWriter:
    """Persists final lines in order, one at a time, in a worker thread.

    Writes are fenced by the lease (``owner``): once another process holds the interview,
    nothing more is written from here and ``on_lost`` is called once."""

    def __init__(self, interview_id: str, owner: str | None = None, on_lost=lambda: None) -> None:
        self._interview_id = interview_id
        self._owner = owner
        self._on_lost = on_lost
        self._lost = False
        self._queue: asyncio.Queue = asyncio.Queue()  # TranscriptLine (or a subclass's record); None = stop
        self._task: asyncio.Task | None = None
        self.failures = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"transcript-writer-{self._interview_id}")

    def put(self, line: object) -> None:
        self._queue.put_nowait(line)

    def delete(self, sequence: int) -> None:
        """A withdrawn line (``TranscriptAssembler.retract``): removed after the writes queued before it."""
        self._queue.put_nowait(Withdrawn(sequence))

    def _save(self, line: Any) -> None:
        """One write, in a worker thread (subclasses store other records the same way)."""
        if isinstance(line, Withdrawn):
            transcripts.delete_transcript_line(self._interview_id, line.sequence, self._owner)
        else:
            transcripts.append_transcript_line(self._interview_id, line, self._owner)

    async def _run(self) -> None:
        while (line := await self._queue.get()) is not None:
            if self._lost:
                continue
            try:
                await RELAY.run(self._save, line)
            except LeaseLost:
                self._lost = True
                self._on_lost()
            except Exception as exc:  # the final submit rewrites every line: log, keep going
                self.failures += 1
                log.warning("%s of %s not saved: %s", line, self._interview_id, exc)

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Write everything queued so far, then stop."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        except TimeoutError:
            log.warning("transcript writer of %s did not drain in %.0f s", self._interview_id, timeout_s)
            self._task.cancel()
