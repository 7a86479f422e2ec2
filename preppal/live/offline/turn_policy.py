"""Whether a pause ends the candidate's turn: what the voice says, what the words say, how much was said.

Three pieces of evidence arrive during a pause, off the event loop and in no fixed order:
- the end-of-turn model's probability that the turn sounds finished (Smart Turn, ≈ 60 ms after
  each check; :mod:`.smart_turn`);
- the transcript of the answer up to this pause, when the chunk cut at it has been decoded
  (≈ 150 ms with the short encoder window; :mod:`.stt`);
- how much the candidate has said in this utterance (from the VAD).

The rules (:func:`ends_turn`), each for a reason seen on the benchmark (docs/performance.md):
- **A short answer waits.** Every question this interviewer asks is open; a single clause
  ("My manager and I disagreed, …") is nearly always the start of an answer, and the model
  hears such a clause as finished. An answer of fewer than ``short_answer_words`` words (until
  its words are in: less than ``short_answer_ms`` of speech) ends at the pause cap, or as soon
  as the words hand the turn back: a question, or a request to repeat or skip ("Sorry, could
  you repeat that?").
- **Words that trail off veto the voice.** A transcript ending in "and", "by", "the", a comma
  or "…" means the sentence is not over, whatever the model says.
- **The voice decides**: probability ≥ ``complete`` ends the turn.
- Optionally (``with_words``, off by default), **words that end a sentence lower the bar**.
  Measured on the benchmark it ended more finished answers sooner but cut in at twice as many
  mid-thought pauses after a complete clause ("We shipped the new billing service, [1.2 s] and
  …"), which read as finished in words and, in espeak's voice, in sound.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from preppal.live.offline.interviewer import is_request
from preppal.live.offline.vad import PauseCheck, TurnDetector, TurnEvent, TurnStats

# A sentence that stops on one of these is not finished: conjunctions, articles, determiners,
# fillers, and the prepositions an answer almost never ends on (English ends on "with", "for",
# "about", "that", "so" … often enough: "what I was proud of", "I think so").
_TRAILING = frozenset(
    "and but or because although though while since if than whereas the a an my our their your "
    "by into um uh er erm".split()
)
_LAST_WORD = re.compile(r"([A-Za-z']+)\W*$")
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class TurnPolicy:
    complete: float = 0.5  # the model alone (its own threshold)
    with_words: float | None = None  # the model, when the words end a sentence (None: no such rule)
    short_answer_words: int = 8  # fewer words than this: only the cap or a hand-back ends the turn
    short_answer_ms: int = 3000  # ... and less speech, while the words are not in (EndOfTurn: TurnRules')


@dataclass(slots=True)
class PauseEvidence:
    """What is known about one pause so far."""

    pause: int
    voiced_ms: int = 0
    probability: float | None = None  # the newest verdict (None: none yet)
    text: str | None = None  # the answer's transcript up to this pause (None: not decoded yet)


def trails_off(text: str) -> bool:
    """The words stop mid-sentence: "…", a comma, or a conjunction, preposition or article."""
    stripped = text.rstrip()
    if not stripped or stripped.endswith(("...", "…", ",", "-", ";", ":")):
        return True
    last = _LAST_WORD.search(stripped)
    return last is not None and last.group(1).lower() in _TRAILING


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip()
    return stripped.endswith((".", "?", "!")) and not stripped.endswith("...") and not trails_off(stripped)


def hands_back(text: str) -> bool:
    """The candidate gives the turn back: a question, or a request to repeat or skip."""
    return text.rstrip().endswith("?") or is_request(text)


def is_short(evidence: PauseEvidence, policy: TurnPolicy) -> bool:
    if evidence.text is None:
        return evidence.voiced_ms < policy.short_answer_ms
    return len(_WORD.findall(evidence.text)) < policy.short_answer_words


def ends_turn(evidence: PauseEvidence, policy: TurnPolicy) -> bool:
    text, p = evidence.text, evidence.probability
    if is_short(evidence, policy):
        return text is not None and hands_back(text)
    if text is not None and trails_off(text):
        return False
    if p is None:
        return False
    if p >= policy.complete:
        return True
    return policy.with_words is not None and text is not None and ends_sentence(text) and p >= policy.with_words


class EndOfTurn:
    """One stream's evidence about its current pause; ends the turn once :func:`ends_turn` agrees."""

    def __init__(
        self,
        detector: TurnDetector,
        on_events: Callable[[list[TurnEvent]], None],
        stats: TurnStats,
        policy: TurnPolicy | None = None,
    ) -> None:
        self._detector = detector
        self._on_events = on_events
        self._stats = stats
        self.policy = replace(policy or TurnPolicy(), short_answer_ms=detector.rules.short_answer_ms)
        self._evidence = PauseEvidence(-1)

    def _current(self, pause: int) -> PauseEvidence | None:
        if pause != self._detector.pause or not self._detector.pausing:
            return None  # the candidate went on (or the turn already ended): stale evidence
        if self._evidence.pause != pause:
            self._evidence = PauseEvidence(pause)
        return self._evidence

    def verdict(self, check: PauseCheck, probability: float) -> None:
        """The model's answer for ``check``."""
        evidence = self._current(check.pause)
        if evidence is not None:
            evidence.probability, evidence.voiced_ms = probability, max(evidence.voiced_ms, check.voiced_ms)
            self._decide(evidence, by_words=False)

    def words(self, pause: int, text: str, voiced_ms: int) -> None:
        """The transcript of the whole answer up to ``pause`` is in."""
        evidence = self._current(pause)
        if evidence is not None:
            evidence.text, evidence.voiced_ms = text, max(evidence.voiced_ms, voiced_ms)
            self._decide(evidence, by_words=True)

    def _decide(self, evidence: PauseEvidence, by_words: bool) -> None:
        if not ends_turn(evidence, self.policy):
            return
        events = self._detector.end_turn(evidence.pause)
        if events:
            self._stats.complete += 1
            self._stats.by_words += by_words
            self._on_events(events)
