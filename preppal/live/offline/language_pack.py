"""What the offline interviewer says and how it reads answers, per language, as data.

Everything language-specific lives in ``data/<lang>/`` (one folder per language, English in
``data/en/``); only pacing, which does not depend on the language, is shared
(``data/pacing.json``):

- ``phrases.json``: the interviewer's own lines around the questions (opening, leads,
  acknowledgements, closing, silence nudges);
- ``questions.json``: the question bank, interview type → difficulty → questions;
- ``followups.json``: follow-up lines per rule;
- ``concepts.json``: things an answer can name (a cache, Kafka, a deadline), how to spot them,
  and what an interviewer asks about each; technologies among them are what a job
  description or résumé can list;
- ``lexicon.json``: how an answer is read (tokeniser, stop words, stems, number words,
  named patterns such as a story or a result, turning "I" into "you" for quotes, everyday
  work vocabulary).

Every pack has the same keys as English (a unit test checks it), so adding a language is
adding a folder. The rules in :mod:`.interviewer` never hold a word of any language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
_CJK_RUN = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"  # kana, kanji, hanzi
# Where a pattern may start and end, per ``tokeniser``: where no word character touches it
# (spaced scripts); anywhere in ja/zh text, but not inside a Latin word; Devanagari (Hindi)
# counts its vowel signs and virama as word characters too (they are not ``\w``, so a match
# could end inside a word).
_DEVANAGARI = r"[\w\u0900-\u0963\u0966-\u097f]"
_EDGES = {
    "spaces": (r"(?<!\w)", r"(?!\w)"),
    "devanagari": (rf"(?<!{_DEVANAGARI})", rf"(?!{_DEVANAGARI})"),
    "characters": (r"(?<![a-z0-9])", r"(?![a-z0-9])"),  # only a Latin word ("ci", "go") needs edges
}
FALLBACK = "en"
PACK_FILES = ("phrases", "questions", "followups", "concepts", "lexicon")


@dataclass(frozen=True)
class Lexicon:
    """How answers in one language are split into words and matched against patterns."""

    data: dict

    @cached_property
    def _word(self) -> re.Pattern[str]:
        return re.compile(self.data["word_pattern"])

    @cached_property
    def stop_words(self) -> frozenset[str]:
        return frozenset(self.data["stop_words"])

    @cached_property
    def number_words(self) -> frozenset[str]:
        return frozenset(self.data["number_words"])

    @cached_property
    def patterns(self) -> dict[str, re.Pattern[str]]:
        """Each named pattern as one regex over lower-cased text (word-bounded where words are spaced)."""
        return {name: self.compile(alternatives) for name, alternatives in self.data["patterns"].items()}

    @property
    def by_characters(self) -> bool:
        """Japanese and Chinese: no spaces between words (``tokeniser``: ``characters``)."""
        return self.data["tokeniser"] == "characters"

    def words(self, text: str) -> list[str]:
        """The words of ``text``, lower-cased, by the word pattern (ja/zh: each kana, kanji or
        hanzi is one unit, a Latin word or number is one)."""
        return self._word.findall(text.lower())

    def count(self, text: str) -> float:
        """The length of ``text`` in words: ja/zh characters divided by ``units_per_word``
        (≈ 2.5 Japanese, ≈ 1.7 Chinese), so thresholds shared by every language mean the same."""
        return len(self.words(text)) / self.data["units_per_word"]

    def stem(self, word: str) -> str:
        for suffix in self.data["stem_suffixes"]:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word

    def _bigrams(self, text: str) -> list[str]:
        """Terms of unspaced text without a dictionary: every two neighbouring characters of a
        run of CJK script (the usual trick of CJK search), plus Latin words, minus stop terms."""
        terms: list[str] = []
        for run in re.findall(_CJK_RUN, text.lower()):
            terms += [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]
        shortest = self.data["min_word_length"]
        terms += [w for w in re.findall(r"[a-z0-9][a-z0-9'+#.]*", text.lower()) if len(w) >= shortest]
        return [t for t in terms if t not in self.stop_words]

    def content_words(self, text: str) -> list[str]:
        """Stems of the words that carry meaning (no stop words, nothing shorter than the minimum)."""
        if self.by_characters:
            return self._bigrams(text)
        shortest = self.data["min_word_length"]
        return [self.stem(w) for w in self.words(text) if len(w) >= shortest and w not in self.stop_words]

    def stems(self, words: list[str]) -> set[str]:
        """Listed vocabulary (work words) in the form :meth:`content_words` produces."""
        if self.by_characters:
            return {t for w in words for t in self._bigrams(w)}
        return {self.stem(w) for w in words}

    def tag_terms(self, tags: tuple[str, ...] | list[str]) -> set[str]:
        """A question's tags in the form answers are compared in (ja/zh: their bigrams)."""
        return self.stems(list(tags)) if self.by_characters else set(tags)

    def has_numbers(self, text: str) -> bool:
        lowered = text.lower()
        if re.search(r"\d", lowered):
            return True
        if self.by_characters:  # number words are written inside running text
            return any(w in lowered for w in self.number_words)
        return any(w in self.number_words for w in self.words(lowered))

    def matches(self, pattern: str, text: str) -> bool:
        return bool(self.patterns[pattern].search(text.lower()))

    def find(self, pattern: str, text: str) -> list[re.Match[str]]:
        """Every place ``pattern`` matches in ``text`` (offsets hold for the original text)."""
        return list(self.patterns[pattern].finditer(text.lower()))

    def compile(self, alternatives: list[str]) -> re.Pattern[str]:
        """One regex for a list of alternatives; where words are spaced, each match is a whole
        word or phrase (no word character just before or after it, so "c++" and "node.js" work)."""
        start, end = _EDGES[self.data["tokeniser"]]
        return re.compile(start + "(" + "|".join(alternatives) + ")" + end)


@dataclass(frozen=True)
class Concept:
    """Something an answer can name, and what to ask about it (``concepts.json``)."""

    id: str
    category: str
    triggers: re.Pattern[str]  # naming it as a noun: quoted back as said ("a cache")
    probes: tuple[str, ...]
    verbs: re.Pattern[str] | None = None  # other forms ("cached"): quoted back as the clause
    name: str = ""  # how the interviewer says a technology ("PostgreSQL")
    tech: bool = False  # a skill a job description or résumé can list
    part: bool = False  # a piece of a running system that can fail (a database, a queue, a cache)
    # The first three letters every way of naming it starts with (None: some do not start with
    # three plain letters): a text none of whose words start so cannot name it (a fast skip).
    starts: frozenset[str] | None = None

    def may_be_in(self, starts: set[str]) -> bool:
        return self.starts is None or not self.starts.isdisjoint(starts)


_PLAIN_START = re.compile(r"[a-z]{3}")


def _starts(alternatives: list[str], spaced: bool) -> frozenset[str] | None:
    found = [_PLAIN_START.match(a) for a in alternatives]
    if not spaced or not all(found):
        return None
    return frozenset(m.group(0) for m in found if m is not None)


def _concepts(data: dict, lexicon: Lexicon) -> tuple[Concept, ...]:
    spaced = lexicon.data["tokeniser"] == "spaces"
    return tuple(
        Concept(
            id=c["id"],
            category=c["category"],
            triggers=lexicon.compile(c["triggers"]),
            probes=tuple(c["probes"]),
            verbs=lexicon.compile(c["verbs"]) if c.get("verbs") else None,
            name=c.get("name", ""),
            tech=bool(c.get("tech", False)),
            part=bool(c.get("part", False)),
            starts=_starts(c["triggers"] + c.get("verbs", []), spaced),
        )
        for c in data["concepts"]
    )


@dataclass(frozen=True)
class LanguagePack:
    """One language's phrases, questions, follow-ups and lexicon (read-only, shared by interviews)."""

    code: str  # the data folder's name: "en"
    phrases: dict
    questions: dict
    followups: dict
    lexicon: Lexicon
    pacing: dict
    concepts: tuple[Concept, ...]

    def __deepcopy__(self, memo: dict) -> LanguagePack:
        return self  # shared and read-only: a speculative fork of an interviewer keeps the same pack


def pack_code(language: str) -> str:
    """The data folder for a BCP-47 tag ("en-US" → "en"); languages without a pack fall back to English."""
    primary = (language or FALLBACK).split("-")[0].split("_")[0].lower()
    return primary if (DATA_DIR / primary / "phrases.json").is_file() else FALLBACK


def available() -> list[str]:
    return sorted(p.name for p in DATA_DIR.iterdir() if (p / "phrases.json").is_file())


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=16)
def load_pack(language: str = FALLBACK) -> LanguagePack:
    code = pack_code(language)
    parts = {name: _read(DATA_DIR / code / f"{name}.json") for name in PACK_FILES}
    lexicon = Lexicon(parts["lexicon"])
    return LanguagePack(
        code=code,
        phrases=parts["phrases"],
        questions=parts["questions"],
        followups=parts["followups"],
        lexicon=lexicon,
        pacing=_read(DATA_DIR / "pacing.json"),
        concepts=_concepts(parts["concepts"], lexicon),
    )
