"""What one answer says, as far as rules over text can tell: the reading follow-ups are chosen on.

A :class:`Reading` holds what the answer *named* (concepts such as "a cache" or "Kafka", in the
candidate's own words, and capitalised names such as "Northwind") and what it *did* (told a
story, gave a result, a number, its own part, a trade-off, a failure mode, a lesson, vague
filler). Quotes are cut from the answer itself, one clause at most, so that a follow-up can
say them back ("You said the pages got a lot faster. By how much?"). All the words come from
the interview language's pack; nothing here knows a language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from preppal.live.offline.language_pack import Concept, LanguagePack, load_pack

_WORD_START = re.compile(r"(?<![a-z0-9])[a-z]{3}")
VAGUE_WORDS = 20  # a generality naming nothing specific, shorter than this, is vague
MIN_QUOTE_WORDS = 3  # a shorter clause ("that") says nothing back
_CLAUSE_END = re.compile(r"[.!?;,:]|\s(?:and|but|so|then|because|which|while)\s", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)*)\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)([A-Z][a-z]+)")


@dataclass(frozen=True, slots=True)
class Mention:
    """A concept the answer named, as it was said ("a message queue", "Redis")."""

    concept: Concept
    said: str  # the noun with its determiner ("our cache"), or "" when only a verb form was used
    clause: str  # the clause it was named in ("I cached the product pages"), "" if too long to quote
    count: int  # how often the answer names it


@dataclass(frozen=True)
class Reading:
    text: str
    words: int
    mentions: tuple[Mention, ...] = ()  # first mention first
    names: tuple[str, ...] = ()  # capitalised names no concept covers ("Northwind", "Black Friday")
    signals: frozenset[str] = frozenset()  # pattern names that matched (story, result, vague, …)
    numbers: bool = False
    quotes: dict[str, str] = field(default_factory=dict)  # pattern name → the clause it matched in

    def has(self, *signals: str) -> bool:
        return any(s in self.signals for s in signals)

    @property
    def concrete(self) -> bool:
        """A real example rather than a generality: a story, a number, the candidate's own actions,
        or several specific things named."""
        specific = len(self.mentions) + len(self.names)
        acted = self.has("own_action") and self.words >= 15
        return self.has("story", "example_marker") or acted or self.numbers or specific >= 2

    @property
    def vague(self) -> bool:
        """Filler instead of substance, or a non-answer (a short generality naming nothing counts)."""
        if self.has("vague", "nonanswer"):
            return not self.numbers
        return not self.concrete and not self.mentions and self.words < VAGUE_WORDS


def _has_subject(pack: LanguagePack, first: str) -> bool:
    """The clause starts with who or what it is about ("I added…", "the pages got…", "Redis…"),
    so "You said {clause}" is a sentence; "added pagination" on its own is not."""
    data = pack.lexicon.data
    word = first.lower().strip("\"'“”")
    return word in data["person_flip"] or word in data["determiners"] or word in data["subjects"] or first[:1].isupper()


def clause_at(pack: LanguagePack, text: str, start: int, end: int, max_words: int, from_match: bool = False) -> str:
    """The clause of ``text`` around ``text[start:end]`` (from the last clause break, or from the
    match itself, to the next break); "" when it is longer than ``max_words`` (a quote cut in the
    middle of a thought sounds wrong) or does not start with its subject."""
    breaks = list(_CLAUSE_END.finditer(text[:start]))
    begin = start if from_match else (breaks[-1].end() if breaks else 0)
    after = _CLAUSE_END.search(text, end)
    stop = after.start() if after else len(text)
    words = text[begin:stop].split()
    lead = next((i for i, w in enumerate(words[:3]) if _has_subject(pack, w)), None)
    if lead is None or not MIN_QUOTE_WORDS <= len(words) - lead <= max_words:
        return ""  # no subject, too long to say back, or too short to mean anything ("that")
    words, begin = words[lead:], begin if lead == 0 else -1  # "after that the pages…" → "the pages…"
    first = words[0]
    if begin >= 0 and text[:begin].rstrip()[-1:] in ("", ".", "!", "?") and first[1:].islower() and first != "I":
        words[0] = first[0].lower() + first[1:]  # "Things happen" → "you said things happen"
    return " ".join(words).strip(" ,.;:!?\"'“”")


def _first_clause(pack: LanguagePack, text: str, max_words: int) -> str:
    """The answer's opening claim: the first of its first three clauses that can be quoted
    ("Honestly, I think I'd just communicate well, …" → "I think I'd just communicate well")."""
    start = 0
    for _ in range(3):
        after = _CLAUSE_END.search(text, start)
        stop = after.start() if after else len(text)
        quote = clause_at(pack, text, start, max(start, stop - 1), max_words) if stop > start else ""
        if quote:
            return quote
        if after is None:
            return ""
        start = after.end()
    return ""


def flip_person(pack: LanguagePack, words: str) -> str:
    """The candidate's words in the interviewer's mouth: "my cache" → "your cache"."""
    flips = pack.lexicon.data["person_flip"]
    out = [flips.get(w.lower(), w) if w.lower() in flips else w for w in words.split()]
    return " ".join(out)


def _said(pack: LanguagePack, text: str, match: re.Match[str]) -> str:
    """The matched words as written, with the determiner just before them ("a cache", "our
    cache"); a name written with a capital ("Redis", "the TTL") goes without one. A technology's
    lower-case name ("pandas") is a name too."""
    said = text[match.start() : match.end()].strip()
    if said[:1].isupper():
        return said
    before = text[: match.start()].split()
    if before and before[-1].lower() in set(pack.lexicon.data["determiners"]):
        return f"{before[-1].lower()} {said}"
    return ""  # a bare common word ("cache the feeds") may be a verb: the clause is quoted instead


def mentions(pack: LanguagePack, text: str) -> tuple[Mention, ...]:
    lowered = text.lower()
    max_words = pack.lexicon.data["quote_max_words"]
    starts = {word[:3] for word in _WORD_START.findall(lowered)}
    found: list[tuple[int, Mention]] = []
    for concept in pack.concepts:
        if not concept.may_be_in(starts):
            continue
        nouns = list(concept.triggers.finditer(lowered))
        verbs = list(concept.verbs.finditer(lowered)) if concept.verbs is not None else []
        hits = sorted(nouns + verbs, key=lambda m: m.start())
        if not hits:
            continue
        first = hits[0]
        said = _said(pack, text, nouns[0]) if nouns else ""
        if not said and nouns and concept.tech:
            said = text[nouns[0].start() : nouns[0].end()]
        clause = clause_at(pack, text, first.start(), first.end(), max_words)
        found.append((first.start(), Mention(concept, said, clause, len(hits))))
    found.sort(key=lambda item: item[0])
    return tuple(m for _, m in found)


def names(pack: LanguagePack, text: str, covered: tuple[Mention, ...]) -> tuple[str, ...]:
    """Capitalised words inside sentences (not sentence starts, not "I"), not already a concept."""
    if pack.lexicon.data["tokeniser"] != "spaces" or not pack.lexicon.data["capitalised_names"]:
        return ()  # unspaced scripts, Devanagari, and German (every noun has a capital)
    starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
    known = " ".join(m.said.lower() for m in covered)
    found: list[str] = []
    for match in _NAME.finditer(text):
        name = match.group(1)
        lowered = name.lower()
        if match.start(1) in starts or lowered in known or lowered in pack.lexicon.stop_words:
            continue
        if lowered in pack.lexicon.data["not_names"]:  # "Monday", "Black Friday": dates, not names
            continue
        if any(c.triggers.search(name.lower()) for c in pack.concepts):
            continue
        if name not in found:
            found.append(name)
    return tuple(found)


def read(pack: LanguagePack, text: str) -> Reading:
    """The reading of one answer (or of all the answers to one question, joined). Remembered for
    the last few texts: the speculation during a pause and the final reply read the same words."""
    return _read(pack.code, text)


@lru_cache(maxsize=32)
def _read(code: str, text: str) -> Reading:
    pack = load_pack(code)
    lexicon = pack.lexicon
    max_words = lexicon.data["quote_max_words"]
    signals: set[str] = set()
    quotes: dict[str, str] = {}
    for name in lexicon.patterns:
        hits = lexicon.find(name, text)
        if hits:
            signals.add(name)
            # "we" is quoted from the word itself: "we split the work", not the story before it
            quotes[name] = clause_at(pack, text, hits[0].start(), hits[0].end(), max_words, from_match=name == "we")
    quotes["first"] = _first_clause(pack, text, max_words)
    said = mentions(pack, text)
    return Reading(
        text=text,
        words=round(lexicon.count(text)),  # ja/zh: characters scaled to words
        mentions=said,
        names=names(pack, text, said),
        signals=frozenset(signals),
        numbers=lexicon.has_numbers(text),
        quotes=quotes,
    )
