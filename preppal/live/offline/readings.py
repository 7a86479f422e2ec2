"""What the interviewer's voice is given to read: the caption's text, in a form espeak-ng can say.

espeak-ng reads Japanese kana but not kanji: it says "Chinese letter" for each one. The
interviewer's Japanese lines are written as people write (kanji and kana, and shown so in the
transcript); before they are spoken, every kanji word in them is replaced by its reading from
``data/ja/readings.json`` (longest match first). The file holds a reading for every kanji word
of the Japanese pack (a unit test checks it). Kanji that only arrive through the interview's
own details — a role typed as 営業職 — have no reading; they are left out of the spoken line
rather than read out as "Chinese letter" (the caption still shows them).

Other languages are spoken as written: espeak-ng reads Latin, Devanagari and hanzi (Mandarin).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from preppal.languages import get_language

DATA_DIR = Path(__file__).parent / "data"
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+")


@lru_cache(maxsize=8)
def readings(whisper_code: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The language's readings (word → kana) and one pattern matching any of them, longest first."""
    path = DATA_DIR / whisper_code / "readings.json"
    if not path.is_file():
        return None, {}
    table = {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}
    if not table:
        return None, {}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)))
    return pattern, table


def unread_kanji(text: str, language: str) -> list[str]:
    """Kanji runs in ``text`` that the language's readings leave unread (the tests' check)."""
    pattern, table = readings(get_language(language).whisper)
    replaced = pattern.sub(lambda m: table[m.group()], text) if pattern else text
    return KANJI.findall(replaced)


def spoken_form(text: str, language: str) -> str:
    """``text`` as the language's espeak-ng voice should be given it."""
    lang = get_language(language)
    if lang.whisper != "ja":
        return text
    pattern, table = readings("ja")
    if pattern is not None:
        text = pattern.sub(lambda m: table[m.group()], text)
    return KANJI.sub("", text)
