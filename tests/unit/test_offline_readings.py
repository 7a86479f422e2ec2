"""What the voice is given to read: Japanese kanji become kana, other languages are read as written."""

from __future__ import annotations

from preppal.live.offline.readings import KANJI, spoken_form, unread_kanji


def test_japanese_kanji_words_are_read_from_the_table() -> None:
    spoken = spoken_form("今日はよろしくお願いします。", "ja-JP")
    assert not KANJI.search(spoken) and "きょう" in spoken and "ねがい" in spoken


def test_kanji_without_a_reading_are_left_out_not_spelled() -> None:
    """espeak-ng would say "Chinese letter" for each one; the caption still shows them."""
    assert unread_kanji("鬱陶しい", "ja-JP") == ["鬱陶"]
    assert spoken_form("鬱陶しい", "ja-JP") == "しい"


def test_other_languages_are_spoken_as_written() -> None:
    for code, text in (("zh-CN", "你好，今天我们聊聊你的项目。"), ("hi-IN", "नमस्ते"), ("es-US", "¿Qué tal?")):
        assert spoken_form(text, code) == text


def test_every_kanji_the_japanese_interviewer_says_has_a_reading() -> None:
    """The Japanese pack's lines (phrases, questions, follow-ups) leave no kanji unread."""
    from preppal.live.offline.language_pack import load_pack

    def spoken(value: object) -> list[str]:  # every line, not the "_comment"s for translators
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for k, v in value.items() if not k.startswith("_") for s in spoken(v)]
        return [s for v in value for s in spoken(v)] if isinstance(value, list) else []

    pack = load_pack("ja-JP")
    assert pack.code == "ja"
    probes = [p for c in pack.concepts for p in c.probes]
    lines = spoken(pack.phrases) + spoken(pack.questions) + spoken(pack.followups) + probes
    unread = {run for line in lines for run in unread_kanji(line, "ja-JP")}
    assert not unread, sorted(unread)
