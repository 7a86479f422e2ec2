"""The offline interviewer's languages: every offered language has its own pack (no silent
English), and answers in unspaced scripts (ja/zh) and Devanagari are read by their own rules."""

from __future__ import annotations

from preppal.languages import LANGUAGES
from preppal.live.base import InterviewBrief
from preppal.live.offline.interviewer import Interviewer, is_request, split_sentences
from preppal.live.offline.language_pack import load_pack, pack_code


def test_every_offered_language_has_its_own_pack() -> None:
    for lang in LANGUAGES:
        assert lang.offline
        assert pack_code(lang.code) == lang.whisper, lang.code  # not the English fallback


def test_sentences_end_at_the_full_stops_of_each_script() -> None:
    assert split_sentences("では、始めましょう。まずは自己紹介を。") == ["では、始めましょう。", "まずは自己紹介を。"]
    assert split_sentences("我们开始吧！先介绍一下你自己。") == ["我们开始吧！", "先介绍一下你自己。"]
    assert split_sentences("चलिए शुरू करते हैं। अपने बारे में बताइए।") == ["चलिए शुरू करते हैं।", "अपने बारे में बताइए।"]


def test_japanese_and_chinese_length_is_counted_in_characters_scaled_to_words() -> None:
    ja, zh = load_pack("ja-JP").lexicon, load_pack("zh-CN").lexicon
    assert len(ja.words("データベースを移行しました")) == 13  # one unit per kana/kanji
    assert ja.count("データベースを移行しました") == 13 / 2.5
    assert len(zh.words("我用Python写了一个服务")) == 9  # "python" is one unit
    assert zh.count("我用Python写了一个服务") == 9 / 1.7


def test_unspaced_content_terms_are_character_pairs_and_numbers_are_found_in_running_text() -> None:
    zh = load_pack("zh-CN").lexicon
    assert {"数据", "据库", "迁移"} <= set(zh.content_words("数据库迁移"))
    assert zh.has_numbers("延迟降低了百分之三十") and zh.has_numbers("用了3周")
    assert not zh.has_numbers("我负责数据库迁移")
    ja = load_pack("ja-JP").lexicon
    assert ja.has_numbers("コストを三割減らしました") and not ja.has_numbers("コストを減らしました")


def test_requests_are_heard_in_each_language() -> None:
    for language, request in (
        ("es-US", "Perdón, ¿puedes repetir la pregunta?"),
        ("fr-FR", "Pardon, vous pouvez répéter ?"),
        ("de-DE", "Können Sie das bitte wiederholen?"),
        ("pt-BR", "Desculpa, pode repetir a pergunta?"),
        ("hi-IN", "माफ़ कीजिए, क्या आप सवाल दोहराइए?"),
        ("ja-JP", "すみません、もう一度お願いします。"),
        ("zh-CN", "不好意思，能再说一遍吗？"),
    ):
        pack = load_pack(language)
        assert is_request(request, pack), language
        assert not is_request("Python " * 30, pack)


def test_a_japanese_interview_follows_up_in_japanese() -> None:
    brief = InterviewBrief("iv-ja", "behavioural", "バックエンドエンジニア", "warmup", language="ja-JP")
    interviewer = Interviewer(brief)
    pack = interviewer.pack
    opening = interviewer.opening()
    assert opening.text.startswith("こんにちは") and "バックエンドエンジニアのポジション" in opening.text
    reply = interviewer.respond("パイソンです。")
    assert reply.rule == "example" and reply.text in pack.followups["example"]
