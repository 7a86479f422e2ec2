"""Heuristic evidence: what the offline interviewer and the analyzer can hear in an answer.

English rules over sentences, no model: a competency's strong cue in a sentence is strong
evidence quoting that sentence; a weak cue is weak evidence; the question's own competency
with nothing strong said for it is weak evidence ("the story stops before the outcome").
A language model (Gemini) judges far better; these keep the offline path's scorecard
honest about what it can tell, and give older interviews the same shape.

Also the one home of :func:`is_request`: "Can you repeat the question?" or "Can we skip
this one?" is a request, never an answer (the interviewer re-asks or moves on; feedback
segmentation leaves it out).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from preppal.rubric.evidence import MAX_WHY_CHARS, STRONG, WEAK, Signal, clip_quote
from preppal.unfinished import ends_mid_sentence

if TYPE_CHECKING:
    from preppal.rubric import Competency, Rubric

_WORD = re.compile(r"[a-z0-9][a-z0-9'+#.]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_STOP = frozenset(
    "the and for are but not you your yours with this that those these have has had was were will would could "
    "should can cannot just about into from they them their there then than what when where which who whom why "
    "how its it's i'm i've i'd we're we've our ours out over very really also some any all been being did does "
    "doing done don't didn't yes yeah okay well like think know mean kind sort lot lots get got going one thing "
    "things much many more most maybe because so she her him his hers she's he's let's us me my mine "
    # words every job description uses: no evidence of anything in particular
    "experience experienced team teams work working role strong ability able skills skill knowledge years year "
    "plus including include etc good great excellent required requirements preferred must nice have candidate "
    "join help using use across within based new high".split()
)
_REPEAT = re.compile(
    r"\b(repeat|say (that|it) again|pardon|didn't (catch|hear|get) (that|it|the question)|what was the question|"
    r"come again|rephrase|could you say that|one more time)\b"
)
_SKIP = re.compile(
    r"\b(i don't know|i do not know|no idea|skip|pass on this|next question|move on|rather not answer|"
    r"can't answer|cannot answer)\b"
)
REQUEST_MAX_WORDS = 12  # a longer turn is an answer that happens to contain "skip" or "repeat"


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text or "") if s.strip()]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ied", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """Stemmed words of three letters or more that are not stop words (English)."""
    found = (w.rstrip(".") for w in _WORD.findall((text or "").lower()))
    return [_stem(w) for w in found if len(w) >= 3 and w not in _STOP]


def words(text: str) -> int:
    return len(_WORD.findall((text or "").lower()))


def is_request(text: str) -> bool:
    """A short turn that asks to hear the question again or to skip it (never an answer)."""
    lowered = (text or "").lower().replace("’", "'")
    return words(lowered) <= REQUEST_MAX_WORDS and bool(_REPEAT.search(lowered) or _SKIP.search(lowered))


def is_repeat_request(text: str) -> bool:
    lowered = (text or "").lower().replace("’", "'")
    return is_request(lowered) and bool(_REPEAT.search(lowered))


def _cue(patterns, sentences: list[str]) -> Optional[tuple[str, str]]:
    """The first (sentence, matched phrase) any pattern finds."""
    for sentence in sentences:
        lowered = sentence.lower().replace("’", "'")
        for pattern in patterns:
            if found := pattern.search(lowered):
                return sentence, found.group(0)
    return None


def _terms(c: Competency, sentences: list[str]) -> Optional[tuple[str, str]]:
    """A sentence that uses enough of the competency's own words (job-description ones)."""
    if not c.terms:
        return None
    need = min(len(c.terms), 2 if len(c.terms) < 12 else 3)
    for sentence in sentences:
        hits = sorted(set(content_words(sentence)) & c.terms)
        if len(hits) >= need:
            return sentence, ", ".join(hits[:4])
    return None


def _why(text: str) -> str:
    return clip_quote(text, MAX_WHY_CHARS)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _phrase(text: str) -> str:
    return clip_quote(text.strip(" ,.;:"), 60)


def assess(rubric: Rubric, text: str, target: Optional[str] = None) -> list[Signal]:
    """Evidence notes for one answer, in rubric order (see :meth:`Rubric.assess`)."""
    sentences = [s for s in split_sentences(text) if words(s) >= 3]
    if not sentences:
        return []
    notes: dict[str, Signal] = {}
    for c in rubric.competencies:
        if hit := _cue(c.strong_cues, sentences) or _terms(c, sentences):
            sentence, phrase = hit
            why = f"Heard “{_phrase(phrase)}”: {_lower_first(c.asks)}"
            notes[c.key] = Signal(c.key, STRONG, clip_quote(sentence), _why(why))
        elif hit := _cue(c.weak_cues, sentences):
            sentence, phrase = hit
            why = f"Heard “{_phrase(phrase)}”. {c.weak}"
            notes[c.key] = Signal(c.key, WEAK, clip_quote(sentence), _why(why))
    aim = rubric.competency(target) if target else None
    # An answer cut off mid-sentence (the interviewer took the turn) is not evidence of a gap.
    if aim is not None and aim.key not in notes and not ends_mid_sentence(text):
        why = f"Nothing strong for it yet. {aim.weak}"
        notes[aim.key] = Signal(aim.key, WEAK, clip_quote(sentences[-1]), _why(why))
    return [notes[k] for k in rubric.keys if k in notes]
