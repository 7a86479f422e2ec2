"""Words that show a sentence was left unfinished, without a model: one home for the rule, per language.

Used where no language model is at hand: by the offline end of turn when its text judge is
missing or does not read the interview's language (preppal/live/offline/turn_policy.py), and
by the built-in feedback, which must not call an answer "too brief" when the interviewer took
the turn in the middle of its sentence (preppal/services/feedback/analyzer.py).

Each interview language lists the words its sentences almost never end on: conjunctions,
articles and determiners, prepositions that cannot close a clause, fillers. Japanese and
Chinese are written without spaces, so there the text is checked for *ending* with one of
them (a particle or te-form: 「移行したんですが」, 「…して」; a conjunction: 「因为」).
"""

from __future__ import annotations

import re

from preppal.languages import get_language

# By Whisper language code. English ends on "with", "for", "about", "that", "so" … often
# enough; German on separable prefixes ("an", "mit", "zu"): none of those are listed.
TRAILING: dict[str, frozenset[str]] = {
    "en": frozenset(
        "and but or because although though while since if than whereas the a an my our their your "
        "by into um uh er erm".split()
    ),
    "es": frozenset(
        "y e pero o u porque aunque si que el la los las un una unos unas de del al con en por para mi mis tu "
        "nuestro nuestra nuestros este esta eh em mm".split()
    ),
    "fr": frozenset(
        "et mais ou donc parce que qui si le la les un une des du de au aux mon ma mes notre nos leur ce cette "
        "avec pour dans sur par quand euh ben hum".split()
    ),
    "de": frozenset(
        "und aber oder weil dass wenn obwohl als der die das den dem des ein eine einen einem einer mein meine "
        "unser unsere für von durch äh ähm hm".split()
    ),
    "pt": frozenset(
        "e mas ou porque que se o a os as um uma de do da dos das no na nos nas com para pra meu minha nosso "
        "nossa éh hum tipo".split()
    ),
    "hi": frozenset("और लेकिन क्योंकि या अगर कि जो के की का में से को ने एक उम अं मतलब".split()),
    "ja": frozenset(
        "が けど けれど けれども て で と から ので し は を に や とか たり ながら えーと えっと あの その".split()
    ),
    "zh": frozenset("和 跟 但是 可是 因为 所以 然后 而且 或者 如果 虽然 就 是 在 把 被 对 嗯 呃 那个 就是".split()),
}
# Whisper's own marks of an unfinished sentence, in every script.
HANGING = ("...", "…", ",", "-", ";", ":", "、", "，", "——")
_CLOSERS = " \t.?!。？！।\"'”」』)"
_WORD = re.compile(r"[\w'\u0900-\u0963\u0966-\u097f]+")  # Devanagari vowel signs are not \w


def punctuated_unfinished(text: str) -> bool:
    """The transcript says so itself: "…", a comma (also 、，), a dash, a colon (or there are no words)."""
    stripped = text.rstrip()
    return not stripped or stripped.endswith(HANGING)


def ends_mid_sentence(text: str, language: str = "en-US") -> bool:
    """The words stop mid-sentence: the punctuation above, or a word the language's sentences
    almost never end on (a conjunction, article, particle, filler …)."""
    if punctuated_unfinished(text):
        return True
    lang = get_language(language)
    trailing = TRAILING.get(lang.whisper, TRAILING["en"])
    bare = text.rstrip().rstrip(_CLOSERS).lower()
    if not lang.spaced:
        return bare.endswith(tuple(trailing))
    words = _WORD.findall(bare)
    return bool(words) and words[-1] in trailing
