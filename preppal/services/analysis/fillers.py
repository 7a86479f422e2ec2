"""Filler words per interview language: the one list every counter uses.

The transcript metrics (``services.analysis.transcript_metrics``) and the audio pass (word timestamps from
Whisper) both count fillers through :func:`find_filler_hits`, which returns each hit with
its character span in the text, so a caller holding word timings can place it in time.

Two kinds of entries:
- *hesitation sounds* ("um", "euh", "äh", "えーと", "嗯") are always fillers;
- *discourse markers* that are also ordinary words ("like", "o sea", "du coup", "also",
  "那个") count only in the position where they are fillers — set off by a pause mark or
  opening a clause — so "I like Python", "ce genre de projet" or "那个项目" are not fillers.
English keeps its hand-tuned context rules (tested in tests/unit/test_metrics.py); the
other languages use per-language patterns with the same two ideas.

Japanese and Chinese have no spaces between words: patterns match inside running text and
rely on the pause marks (、，…) or the lengthening mark (ー) to tell fillers from words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from preppal.languages import DEFAULT_LANGUAGE, get_language


@dataclass(frozen=True, slots=True)
class FillerHit:
    label: str  # the canonical filler ("um", "o sea", "えーと")
    start: int  # character span in the text given
    end: int


# ---- English: token rules ---------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|[.!?;:,—–-]")
_SENTENCE_END = {".", "!", "?", ";", ":"}
_CLAUSE_BREAK = _SENTENCE_END | {",", "—", "–", "-"}
_ALWAYS = {
    "um": "um",
    "umm": "um",
    "uhm": "um",
    "erm": "um",
    "uh": "uh",
    "uhh": "uh",
    "er": "uh",
    "basically": "basically",
    "actually": "actually",
}
# Before "like" these make it the verb/preposition ("I like", "would like", "looks like").
_LIKE_CONTENT_BEFORE = set(
    "i we you they he she would i'd we'd really don't didn't feel feels felt look looks looked seem seems sound "
    "sounds something anything nothing more just much".split()
)
# "you know what/how/that ..." and "do/if/as you know" are meaningful, not filler.
_YOU_KNOW_CONTENT_AFTER = {"what", "how", "that", "the", "why", "where", "when", "who", "if", "whether", "a", "about"}
_YOU_KNOW_CONTENT_BEFORE = {"do", "did", "don't", "if", "as", "would", "you'd", "to"}
# "so that", "so far", "so much" ... are not the discourse-marker "so".
_SO_CONTENT_AFTER = {"that", "far", "much", "many", "long", "on", "forth", "few", "little"}


def _english(text: str) -> list[FillerHit]:
    """um/uh (and spellings), basically, actually: always. like: only as a set-off marker and
    not after words that make it a verb/preposition. you know: not in "you know what…" nor
    "do/if/as you know". so: only opening a sentence, not "…, so I…" nor "so that/far/much"."""
    spans = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN.finditer(text or "")]
    tokens = [t for t, _, _ in spans]
    hits: list[FillerHit] = []
    for i, (tok, start, end) in enumerate(spans):
        prev = tokens[i - 1] if i > 0 else "."
        nxt = tokens[i + 1] if i + 1 < len(tokens) else "."
        if tok in _ALWAYS:
            hits.append(FillerHit(_ALWAYS[tok], start, end))
        elif tok == "like":
            marker = prev in _CLAUSE_BREAK or prev in {"um", "uh"} or nxt == ","
            if marker and prev not in _LIKE_CONTENT_BEFORE:
                hits.append(FillerHit("like", start, end))
        elif tok == "you" and nxt == "know":
            after = tokens[i + 2] if i + 2 < len(tokens) else "."
            if prev not in _YOU_KNOW_CONTENT_BEFORE and after not in _YOU_KNOW_CONTENT_AFTER:
                hits.append(FillerHit("you know", start, spans[i + 1][2]))
        elif tok == "so" and nxt not in _SO_CONTENT_AFTER:
            before = tokens[i - 2] if i > 1 else "."
            if prev in _SENTENCE_END or prev == "," and (before in _SENTENCE_END or before in _ALWAYS):
                hits.append(FillerHit("so", start, end))
    return hits


# ---- other languages: patterns ------------------------------------------------------------
# Word edges for spaced languages. Devanagari vowel signs and the virama are not ``\w``: they
# are listed so "उम" never matches inside "उम्मीद" (hope).
_WORDCHAR = r"[\w'\u0300-\u036f\u0900-\u0963\u0966-\u097f]"  # not the danda (।)
_B = rf"(?<!{_WORDCHAR})"
_E = rf"(?!{_WORDCHAR})"
_PAUSE_AFTER = r"(?=\s*(?:,|、|，|…|\.\.\.|—|–|\?|？))"  # set off by a pause mark (or a tag "?")
_CLAUSE_START = r"(?:^|(?<=[.!?¿¡;:,…—–।])|(?<=[.!?¿¡;:,…—–।] ))"


def _always(*words: str) -> list[str]:
    return [_B + w + _E for w in words]


def _set_off(*words: str) -> list[str]:
    """A marker followed by a pause mark ("bueno, ...", "tipo, ...", "sabes?")."""
    return [_B + w + _E + _PAUSE_AFTER for w in words]


def _closing(*words: str) -> list[str]:
    """A marker closing a sentence ("…, voilà.")."""
    return [_B + w + _E + r"(?=\s*(?:[.!…。]|$))" for w in words]


def _opening(*words: str) -> list[str]:
    """A marker opening a clause and followed by a pause mark ("Also, ich ...")."""
    return [_CLAUSE_START + w + _E + _PAUSE_AFTER for w in words]


# Per language: (label, [patterns]). Longer phrases first: one pass, no double counting.
_RULES: dict[str, list[tuple[str, list[str]]]] = {
    "es-US": [
        ("o sea", _always(r"o\s+sea")),
        ("en plan", _always(r"en\s+plan")),
        ("a ver", _set_off(r"a\s+ver")),
        ("eh", _always(r"e+h+", r"e+h*m+", r"m{2,}")),
        ("este", _set_off("este")),
        ("digamos", _always("digamos")),
        ("pues", _opening("pues")),
        ("bueno", _opening("bueno")),
        ("tipo", _set_off("tipo")),
        ("sabes", _set_off("sabes")),
    ],
    "fr-FR": [
        ("du coup", _always(r"du\s+coup")),
        ("en fait", _always(r"en\s+fait")),
        ("tu vois", _set_off(r"tu\s+vois", r"vous\s+voyez")),
        ("euh", _always(r"e+u+h+", r"h+e+u+", r"h+u+m+", "bah", "ben")),
        ("genre", _set_off("genre")),
        ("voilà", _set_off("voilà", "voila") + _closing("voilà", "voila")),
        ("bon", _opening("bon")),
    ],
    "de-DE": [
        ("weißt du", _set_off(r"weißt\s+du", r"weisst\s+du")),
        ("äh", _always(r"ä+h+", r"ä+h*m+", r"ö+h+", r"h+m{2,}", "mhm")),
        ("halt", _always("halt")),
        ("sozusagen", _always("sozusagen")),
        ("quasi", _always("quasi")),
        ("also", _opening("also")),
    ],
    "pt-BR": [
        ("na verdade", _always(r"na\s+verdade")),
        ("meio que", _always(r"meio\s+que")),
        ("hum", _always(r"h+u+m+", r"h+m{2,}", r"a+h+n+", r"e+h+", r"é{2,}")),
        ("né", _always("né")),
        ("tipo", _set_off("tipo")),
        ("sabe", _set_off("sabe")),
        ("então", _opening("então")),
        ("assim", _set_off("assim")),
    ],
    "hi-IN": [
        ("उम्म", _always("उम्म+", "उम", "हम्म+", "अं", "umm*", "uhh*", "hmm+")),
        ("मतलब", _set_off("मतलब", "matlab")),
        ("यानी", _set_off("यानी", "yaani")),
        ("बेसिकली", _always("बेसिकली", "basically")),
        ("एक्चुअली", _always("एक्चुअली", "actually")),
        ("तो", _opening("तो")),
        ("अच्छा", _opening("अच्छा")),
    ],
    # No spaces: a filler is a hesitation sound, or a demonstrative/adverb set off by a pause
    # mark or drawn out with ー ("あの人" and "那个项目" are words, "あのー" and "那个，" fillers).
    "ja-JP": [
        ("えーと", [r"えー+と", r"えっと", r"ええと"]),
        ("あのー", [r"あのー+", r"あの(?=[、，,…])"]),
        ("そのー", [r"そのー+", r"その(?=[、，,…])"]),
        ("えー", [r"えー+(?!と)"]),
        ("うーん", [r"うーん", r"ん+ー+"]),
        ("まあ", [r"まあ(?=[、，,…])"]),
        ("なんか", [r"なんか(?=[、，,…])"]),
    ],
    "zh-CN": [
        ("就是说", [r"就是说"]),
        ("那个", [r"那个(?=[，,、…])"]),
        ("这个", [r"这个(?=[，,、…])"]),
        ("嗯", [r"嗯+"]),
        ("呃", [r"呃+", r"额(?=[，,、…])"]),
        ("然后", [r"(?:^|(?<=[。，,！？]))然后(?=[，,、…])"]),
    ],
}


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    labels: dict[str, str]  # group name → label


def _compile(rules: list[tuple[str, list[str]]]) -> _Compiled:
    parts, labels = [], {}
    for i, (label, patterns) in enumerate(rules):
        labels[f"f{i}"] = label
        parts.append(f"(?P<f{i}>{'|'.join(patterns)})")
    return _Compiled(re.compile("|".join(parts), re.IGNORECASE), labels)


_COMPILED = {code: _compile(rules) for code, rules in _RULES.items()}


def find_filler_hits(text: str, language: str = DEFAULT_LANGUAGE) -> list[FillerHit]:
    """Every filler in ``text`` for the interview ``language``, with its span, in order."""
    code = get_language(language).code
    if code == DEFAULT_LANGUAGE:
        return _english(text)
    compiled = _COMPILED[code]
    normal = (text or "").replace("’", "'")  # same length: spans stay valid for ``text``
    return [FillerHit(compiled.labels[m.lastgroup], m.start(), m.end()) for m in compiled.pattern.finditer(normal)]


def find_fillers(text: str, language: str = DEFAULT_LANGUAGE) -> Counter[str]:
    """Filler counts in ``text`` by canonical label."""
    return Counter(hit.label for hit in find_filler_hits(text, language))


# Speech recognisers (Whisper) drop disfluencies unless their prompt has some: one primer per
# language, hesitation sounds only (a marker like "so" or "bueno" in it would be echoed into
# answers as a false filler).
_PRIMERS = {
    "en-US": "Umm, let me think, uh, hmm. Well, um, I'd say, er, yes.",
    "es-US": "Eh, em, déjame pensar, eh, mmm, sí.",
    "fr-FR": "Euh, hum, laissez-moi réfléchir, euh, hmm, oui.",
    "de-DE": "Äh, ähm, lass mich überlegen, äh, hmm, ja.",
    "pt-BR": "Hum, ahn, deixa eu pensar, hum, hmm, sim.",
    "hi-IN": "उम्म, हम्म, सोचने दीजिए, उम्म, अं, हाँ।",
    "ja-JP": "えーと、うーん、ちょっと考えさせてください、えー、はい。",
    "zh-CN": "嗯，呃，让我想一想，嗯，呃，好的。",
}


def disfluent_prompt(language: str = DEFAULT_LANGUAGE) -> str:
    """A short primer in ``language`` that keeps "um"/"euh"/"嗯" in a Whisper transcription."""
    return _PRIMERS[get_language(language).code]


def filler_labels(language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The canonical fillers of a language (e.g. for a speech recogniser's prompt that keeps them)."""
    code = get_language(language).code
    if code == DEFAULT_LANGUAGE:
        return list(dict.fromkeys([*_ALWAYS.values(), "like", "you know", "so"]))
    return [label for label, _ in _RULES[code]]
