"""Whether a pause ends the candidate's turn: what the voice says, what the words say, how much was said.

Evidence arrives during a pause, off the event loop and in no fixed order:
- the audio end-of-turn model's probability that the turn sounds finished (Smart Turn,
  ≈ 60 ms after each check; :mod:`.smart_turn`);
- the transcript of the answer up to this pause, when the chunk cut at it has been decoded
  (≈ 150 ms with the short encoder window; :mod:`.stt`), and with it the text judge's
  probability that the answer ends where the words stop (:mod:`.text_judge`, tens of ms);
- how much the candidate has said in this utterance (from the VAD).

The rules (:func:`ends_turn`), each for a reason seen on the benchmark (docs/performance.md):
- **A short answer waits.** Every question this interviewer asks is open; a single clause
  ("My manager and I disagreed, …") is nearly always the start of an answer. An answer of
  fewer than ``short_answer_words`` words (until its words are in: less than
  ``short_answer_ms`` of speech) ends at the pause cap, or as soon as the words hand the turn
  back: a question, or a request to repeat or skip ("Sorry, could you repeat that?").
- **With the text judge, the words are awaited** (``wait_for_words``): every pause is
  transcribed and judged; the voice alone heard read mid-sentence pauses as finished
  (p ≈ 0.9) before the words arrived.
- **Words that hang veto the voice.** Whisper's own comma or "…" at the end, or a text-judge
  probability under ``unfinished``: the sentence is not over, whatever the voice says.
  Without the text model (missing or damaged) a word list stands in for the judge: a
  transcript ending in "and", "by", "the" … (the rules before the judge).
- **Words that clearly end an answer end it**, unless the voice is sure it goes on: judge
  probability ≥ ``finished`` and the voice's ≥ ``voice_floor``. A read sentence often keeps
  a level pitch at its end, so the voice alone would wait for the cap.
- **Otherwise the voice decides**: probability ≥ ``complete`` ends the turn.
- **The bars fall as the pause grows** (dynamic endpointing, :meth:`TurnPolicy.at`): up to
  ``relax_from_ms`` of silence the two "ends here" bars (``finished``, ``complete``) stand at
  full height; by ``relax_to_ms`` they have fallen to ``relaxed`` (the text judge's) and
  ``voice_relaxed`` (the voice's alone: 1, it stands) of it, and stay there. A hanging sentence gets
  almost nothing from the text judge (< 0.03), so a lower bar after a longer silence costs
  few cut-ins, while a finished sentence read with a level voice no longer waits for the
  cap. The vetoes (words that hang, a short answer) do not fall; the voice's "it goes on"
  (under ``voice_floor``) holds until ``relax_to_ms``, then no longer against words that
  clear the full text bar (``clear``); the cap stays the last resort. The evidence is
  weighed again as the pause grows (:meth:`EndOfTurn.tick`, on every frame), not only when
  a verdict arrives. docs/turn-taking.md has the schedule as a table.
- **Patience** (:meth:`TurnPolicy.scaled`) moves every bar and stretches the schedule: a
  patient interviewer needs clearer evidence, for longer, before it speaks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from preppal.live.offline.interviewer import is_request
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.vad import PauseCheck, TurnDetector, TurnEvent, TurnStats
from preppal.unfinished import ends_mid_sentence, punctuated_unfinished

_SENTENCE_END = (".", "?", "!", "。", "？", "！", "।")


@dataclass(frozen=True)
class TurnPolicy:
    complete: float = 0.5  # the voice alone (Smart Turn's own threshold)
    unfinished: float = 0.02  # the text judge under this: the words hang, whatever the voice says
    finished: float = 0.3  # the text judge at or over this ends the answer ...
    voice_floor: float = 0.1  # ... unless the voice is this sure the candidate goes on
    short_answer_words: int = 8  # fewer words than this: only the cap or a hand-back ends the turn
    short_answer_ms: int = 3000  # ... and less speech, while the words are not in (EndOfTurn: TurnRules')
    wait_for_words: bool = False  # with the text judge: no end before the words are in (the cap aside)
    # Dynamic endpointing: ``finished`` and ``complete`` stand until this much silence ...
    relax_from_ms: int = 400
    relax_to_ms: int = 900  # ... and from here on are this share of their height (see at()):
    relaxed: float = 0.45  # the text judge's bar (with the voice ≥ voice_floor)
    # The voice's bar alone (the words only do not hang): it does not fall. At 0.7 it cut a
    # legacy answer in at "I added an index, [1 s]" (voice 0.48, text 0.053): weak evidence.
    voice_relaxed: float = 1.0
    clear: float = 0.3  # from ``relax_to_ms`` on, the text judge at or over this ends it whatever the voice
    # Whose words: the language's unfinished-sentence words (preppal/unfinished.py), its
    # requests, and its way of counting (ja/zh characters, scaled to words).
    language: str = "en-US"

    def scaled(self, bar: float) -> TurnPolicy:
        """Every bar raised (``bar`` > 1: a more patient listener) or lowered, within (0, 1), and
        the schedule over which the bars fall stretched (or shortened) alike."""
        return replace(
            self,
            complete=min(0.95, self.complete * bar),
            unfinished=min(0.5, self.unfinished * bar),
            finished=min(0.95, self.finished * bar),
            voice_floor=min(0.9, self.voice_floor * bar),
            clear=min(0.95, self.clear * bar),
            relax_from_ms=round(self.relax_from_ms * bar),
            relax_to_ms=round(self.relax_to_ms * bar),
        )

    def fallen(self, silence_ms: int) -> float:
        """How far the "ends here" bars have fallen after ``silence_ms`` of silence: 0 up to
        ``relax_from_ms``, rising in a straight line to 1 (all the way) at ``relax_to_ms``."""
        span = max(1, self.relax_to_ms - self.relax_from_ms)
        return min(1.0, max(0.0, (silence_ms - self.relax_from_ms) / span))

    def at(self, silence_ms: int) -> TurnPolicy:
        """The policy after ``silence_ms`` of silence: ``finished`` lowered towards ``relaxed`` × its
        height and ``complete`` towards ``voice_relaxed`` × its height, as far as :meth:`fallen`
        says, never below the veto (``unfinished``); the vetoes themselves stand."""
        fallen = self.fallen(silence_ms)
        if fallen <= 0.0:
            return self
        return replace(
            self,
            finished=max(self.unfinished, self.finished * (1.0 - (1.0 - self.relaxed) * fallen)),
            complete=max(self.unfinished, self.complete * (1.0 - (1.0 - self.voice_relaxed) * fallen)),
        )


@dataclass(slots=True)
class PauseEvidence:
    """What is known about one pause so far."""

    pause: int
    voiced_ms: int = 0
    probability: float | None = None  # the voice's newest verdict (None: none yet)
    text: str | None = None  # the answer's transcript up to this pause (None: not decoded yet)
    text_probability: float | None = None  # the text judge's verdict on ``text`` (None: no judge)
    silence_ms: int = 0  # how long the pause has lasted when the evidence is weighed (0: just begun)


def whisper_trails(text: str) -> bool:
    """Whisper wrote the words as unfinished: "…", a comma, a dash, or nothing at all."""
    return punctuated_unfinished(text)


def trails_off(text: str, language: str = "en-US") -> bool:
    """Without the text judge: the words stop mid-sentence by the language's word list (preppal/unfinished.py)."""
    return ends_mid_sentence(text, language)


def ends_sentence(text: str, language: str = "en-US") -> bool:
    stripped = text.rstrip()
    hangs = stripped.endswith(("...", "…")) or trails_off(stripped, language)
    return stripped.endswith(_SENTENCE_END) and not hangs


def hands_back(text: str, text_probability: float | None = None, policy: TurnPolicy | None = None) -> bool:
    """The candidate gives the turn back: a question, or a request to repeat or skip.

    With the text judge, a question mark alone is not enough when the words hang: Whisper
    heard "What I would change is, [pause]" as "What type of game gives?"."""
    if is_request(text, load_pack(policy.language if policy else "en-US")):
        return True
    if not text.rstrip().endswith(("?", "？")):
        return False
    return text_probability is None or policy is None or text_probability >= policy.unfinished


def is_short(evidence: PauseEvidence, policy: TurnPolicy) -> bool:
    if evidence.text is None:
        return evidence.voiced_ms < policy.short_answer_ms
    return load_pack(policy.language).lexicon.count(evidence.text) < policy.short_answer_words


def ends_turn(evidence: PauseEvidence, policy: TurnPolicy) -> bool:
    """Whether this pause ends the turn, on what is known so far and after this much silence."""
    text, p, t = evidence.text, evidence.probability, evidence.text_probability
    policy = policy.at(evidence.silence_ms)
    if is_short(evidence, policy):
        return text is not None and hands_back(text, t, policy)
    if text is None and policy.wait_for_words:  # the voice heard "finished" mid-sentence too often
        return False
    if text is not None:
        if t is None and trails_off(text, policy.language):  # no judge: the language's word list
            return False
        if t is not None and (whisper_trails(text) or t < policy.unfinished):
            return False
        if t is not None and t >= policy.finished and p is not None and p >= policy.voice_floor:
            return True
        if t is not None and t >= policy.clear and evidence.silence_ms >= policy.relax_to_ms:
            return True  # words that clearly end, and a long silence: a level voice no longer holds it
    return p is not None and p >= policy.complete


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
        self._fallen = 0.0

    def _current(self, pause: int) -> PauseEvidence | None:
        if pause != self._detector.pause or not self._detector.pausing:
            return None  # the candidate went on (or the turn already ended): stale evidence
        if self._evidence.pause != pause:
            self._evidence = PauseEvidence(pause)
            self._fallen = 0.0  # how far the bars had fallen when the evidence was last weighed
        return self._evidence

    def verdict(self, check: PauseCheck, probability: float) -> None:
        """The model's answer for ``check``."""
        evidence = self._current(check.pause)
        if evidence is not None:
            evidence.probability, evidence.voiced_ms = probability, max(evidence.voiced_ms, check.voiced_ms)
            self._decide(evidence, by_words=False)

    def tick(self) -> None:
        """The pause grew (a frame of silence was heard): the bars may have fallen to the evidence
        already in. Cheap (no model): called on the event loop for every frame heard in a pause."""
        evidence = self._current(self._detector.pause)
        if evidence is not None and (evidence.probability is not None or evidence.text is not None):
            fallen = self.policy.fallen(self._detector.silence_ms)
            if fallen > self._fallen:
                self._fallen = fallen
                self._decide(evidence, by_words=False, by_wait=True)

    def words(self, pause: int, text: str, voiced_ms: int, text_probability: float | None = None) -> None:
        """The transcript of the whole answer up to ``pause`` is in (and the text judge's verdict on it)."""
        evidence = self._current(pause)
        if evidence is not None:
            evidence.text, evidence.voiced_ms = text, max(evidence.voiced_ms, voiced_ms)
            evidence.text_probability = text_probability
            self._decide(evidence, by_words=True)

    def _decide(self, evidence: PauseEvidence, by_words: bool, by_wait: bool = False) -> None:
        evidence.silence_ms = self._detector.silence_ms
        if not ends_turn(evidence, self.policy):
            return
        events = self._detector.end_turn(evidence.pause)
        if events:
            self._stats.complete += 1
            self._stats.by_words += by_words
            self._stats.by_wait += by_wait
            self._on_events(events)
