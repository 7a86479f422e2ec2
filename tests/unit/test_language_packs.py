"""Every offline language pack (preppal/live/offline/data/<lang>/) has what English has."""

from __future__ import annotations

import json
import string

import pytest

from preppal.live.offline.language_pack import DATA_DIR, available, load_pack, pack_code
from preppal.live.offline.questions import DIFFICULTIES, TYPES

ENGLISH = load_pack("en")
# Placeholders the interviewer fills; any other {name} in a pack would raise at run time.
PLACEHOLDERS = {"name", "role", "type", "skill", "quote", "topic", "function", "skills", "edge", ""}


# Maps whose keys are words of the language, not structure (Spanish quotes verbatim: no flips).
WORD_MAPS = {"person_flip"}


def keys(value: object, path: str = "") -> set[str]:
    """Every dict key path in ``value`` (lists are leaves: their length may differ per language)."""
    if not isinstance(value, dict):
        return set()
    found = set()
    for key, inner in value.items():
        if key.startswith("_"):  # comments for translators
            continue
        found.add(f"{path}/{key}")
        if key not in WORD_MAPS:
            found |= keys(inner, f"{path}/{key}")
    return found


def raw(pack: object, part: str) -> object:
    if part == "lexicon":
        return pack.lexicon.data
    if part == "concepts":  # every concept needs the same fields, whatever it is called
        return {
            "concept": {
                key: None
                for c in json.loads((DATA_DIR / pack.code / "concepts.json").read_text())["concepts"]
                for key in c
            }
        }
    return getattr(pack, part)


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_english_is_there_and_unknown_languages_fall_back_to_it() -> None:
    assert "en" in available()
    assert pack_code("en-US") == pack_code("en-GB") == pack_code("") == "en"
    assert pack_code("xx-YY") == "en"


@pytest.mark.parametrize("code", available())
def test_pack_has_every_key_english_has(code: str) -> None:
    pack = load_pack(code)
    for part in ("phrases", "followups", "lexicon", "concepts"):
        english, other = (
            keys(getattr(ENGLISH, part) if part != "lexicon" else ENGLISH.lexicon.data),
            keys(getattr(pack, part) if part != "lexicon" else pack.lexicon.data),
        )
        assert english - other == set(), f"{code}/{part}.json lacks {sorted(english - other)}"
        assert other - english == set(), f"{code}/{part}.json has keys English lacks: {sorted(other - english)}"


@pytest.mark.parametrize("code", available())
def test_pack_patterns_compile_and_placeholders_are_known(code: str) -> None:
    pack = load_pack(code)
    assert set(pack.lexicon.patterns) == set(ENGLISH.lexicon.patterns)
    probes = [p for c in pack.concepts for p in c.probes]
    for text in strings(pack.phrases) + strings(pack.followups) + strings(pack.questions) + probes:
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        assert names <= PLACEHOLDERS, (code, text)


@pytest.mark.parametrize("code", available())
def test_pack_has_a_full_question_bank(code: str) -> None:
    pack = load_pack(code)
    for kind in TYPES:
        for difficulty in DIFFICULTIES:
            cell = pack.questions[kind][difficulty]
            assert sum(1 for q in cell if q.get("opener")) == 1, (code, kind, difficulty)
            plain = [q for q in cell if not q.get("needs")]
            assert len(plain) >= pack.pacing["questions_per_interview"][difficulty], (code, kind, difficulty)
