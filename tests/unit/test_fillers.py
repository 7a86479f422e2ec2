"""Filler words and answer length per interview language (services.analysis: fillers,
transcript_metrics).

Each fixture is a short answer as a transcript would write it, with the fillers a listener
would count; the "not fillers" fixtures use the same words in their ordinary meaning.
"""

from __future__ import annotations

import pytest

from preppal.languages import CODES, LANGUAGES
from preppal.services.analysis.fillers import disfluent_prompt, filler_labels, find_filler_hits, find_fillers
from preppal.services.analysis.transcript_metrics import Segment, compute_metrics, word_count

FILLED = {
    "en-US": (
        "Um, so, like, I basically rewrote the, uh, billing job, you know?",
        {"um", "so", "like", "basically", "uh", "you know"},
    ),
    "es-US": (
        "Eh, bueno, o sea, yo lideré el proyecto, este, digamos que en plan migramos todo, ¿sabes?",
        {"eh", "bueno", "o sea", "este", "digamos", "en plan", "sabes"},
    ),
    "fr-FR": (
        "Euh, bon, du coup j'ai, genre, repris le projet, en fait, tu vois, voilà.",
        {"euh", "bon", "du coup", "genre", "en fait", "tu vois", "voilà"},
    ),
    "de-DE": (
        "Ähm, also, ich habe das halt sozusagen quasi neu gebaut, äh, weißt du?",
        {"äh", "also", "halt", "sozusagen", "quasi", "weißt du"},
    ),
    "pt-BR": (
        "Hum, então, eu, tipo, liderei o projeto, né, na verdade meio que refiz tudo, sabe?",
        {"hum", "então", "tipo", "né", "na verdade", "meio que", "sabe"},
    ),
    "hi-IN": (
        "उम्म, तो, मैंने प्रोजेक्ट लीड किया, मतलब, basically पूरा सिस्टम बदला, यानी, अच्छा।",
        {"उम्म", "तो", "मतलब", "बेसिकली", "यानी"},
    ),
    "ja-JP": (
        "えーと、あのー、そのプロジェクトでは、まあ、なんか、えー、設計を担当しました。",
        {"えーと", "あのー", "まあ", "なんか", "えー"},
    ),
    "zh-CN": ("嗯，那个，我负责的项目，就是说，呃，然后，我们重写了系统。", {"嗯", "那个", "就是说", "呃", "然后"}),
}
# The same words in their ordinary meaning: no fillers.
PLAIN = {
    "en-US": "I like Python and you know what matters: so much of it is testing.",
    "es-US": "Este proyecto fue bueno para el equipo y tipo de cambio no importa.",
    "fr-FR": "Ce genre de projet était bon, tu vois la différence entre les deux versions.",
    "de-DE": "Ich habe also gelernt, dass Tests wichtig sind, und die Halterung hielt.",
    "pt-BR": "Então ele disse que o tipo de dado estava errado e assim ficou.",
    "hi-IN": "मुझे उम्मीद है कि इसका मतलब साफ है और तो भी हम आगे बढ़े।",
    "ja-JP": "あの人はその設計をまあまあ理解していました。",
    "zh-CN": "那个项目很大，这个方法然后被采用了。",
}


def test_every_offered_language_has_a_filler_list() -> None:
    assert set(FILLED) == set(CODES) == set(PLAIN)
    for code in CODES:
        assert filler_labels(code), code


@pytest.mark.parametrize("code", CODES)
def test_fillers_are_counted_in_each_language(code: str) -> None:
    text, expected = FILLED[code]
    found = find_fillers(text, code)
    assert set(found) == expected, (code, found)
    # Each hit's span is the filler in the original text (for timing by word offsets).
    for hit in find_filler_hits(text, code):
        assert text[hit.start : hit.end].strip(), hit
        assert hit.end > hit.start


@pytest.mark.parametrize("code", CODES)
def test_ordinary_words_are_not_fillers(code: str) -> None:
    assert find_fillers(PLAIN[code], code) == {}, code


def test_english_lists_do_not_leak_into_other_languages() -> None:
    # "so" and "like" are English fillers; in a Spanish answer they are not counted.
    assert find_fillers("Um, so, like", "es-US") == {}
    assert find_fillers("Eh, o sea", "en-US") == {}


def test_unspaced_languages_count_characters() -> None:
    assert word_count("我们重写了系统。", "zh-CN") == 7
    assert word_count("設計を担当しました。", "ja-JP") == 9
    assert word_count("APIの設計を2023年に担当", "ja-JP") == 10  # "API" and "2023" are one unit each
    assert word_count("Yo lideré el niño-proyecto, ¿sí?", "es-US") == 5
    assert word_count("मैंने प्रोजेक्ट लीड किया।", "hi-IN") == 4
    assert word_count("I led the trade-off review.", "en-US") == 6


def test_metrics_carry_the_language_and_its_unit() -> None:
    entries = [
        Segment("AI", "请介绍一下你的项目。", 0, 3_000, 1),
        Segment("USER", "嗯，那个，我负责支付系统。", 4_000, 10_000, 2),
        Segment("USER", "我们把延迟降低了一半。", 11_000, 16_000, 3),
    ]
    m = compute_metrics(entries, "zh-CN")
    assert (m.language, m.unit) == ("zh-CN", "characters")
    assert m.answer_list[0].text == "嗯，那个，我负责支付系统。我们把延迟降低了一半。"  # no spaces inserted
    assert m.candidate_words == 20 and m.fillers == 2
    assert m.wpm == pytest.approx(20 * 60 / 12, abs=0.1)  # characters per minute over the 12 s answer
    english = compute_metrics(
        [Segment("AI", "Hi?", 0, 1000, 1), Segment("USER", "Um, hello there friend.", 2000, 4000, 2)]
    )
    assert (english.language, english.unit, english.fillers) == ("en-US", "words", 1)


def test_pace_ranges_are_per_unit() -> None:
    for lang in LANGUAGES:
        low, high = lang.pace_range
        assert 0 < low < high
        if not lang.spaced:
            assert low > 165  # characters per minute run well above English words per minute


HESITATIONS = {"um", "uh", "eh", "euh", "äh", "hum", "उम्म", "えーと", "えー", "うーん", "嗯", "呃"}


@pytest.mark.parametrize("code", CODES)
def test_recogniser_primers_hold_hesitations_only(code: str) -> None:
    found = find_fillers(disfluent_prompt(code), code)
    assert found and set(found) <= HESITATIONS, (code, found)
