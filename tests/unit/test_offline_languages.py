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


def test_each_language_vetoes_the_end_of_a_turn_on_its_own_trailing_words() -> None:
    from preppal.live.offline.turn_policy import ends_sentence, hands_back, trails_off

    hanging = {
        "es-US": "Migramos la base de datos y",
        "fr-FR": "On a migré la base, et puis parce que",
        "de-DE": "Wir haben die Datenbank migriert, weil",
        "pt-BR": "Migramos o banco de dados para",
        "hi-IN": "हमने डेटाबेस को माइग्रेट किया और",
        "ja-JP": "データベースを移行したんですが",
        "zh-CN": "我们迁移了数据库，因为",
    }
    finished = {
        "es-US": "Migramos la base de datos en dos semanas.",
        "fr-FR": "On a migré la base en deux semaines.",
        "de-DE": "Wir haben die Datenbank in zwei Wochen migriert.",
        "pt-BR": "Migramos o banco de dados em duas semanas.",
        "hi-IN": "हमने दो हफ़्तों में डेटाबेस माइग्रेट किया।",
        "ja-JP": "二週間でデータベースを移行しました。",
        "zh-CN": "我们两周内完成了数据库迁移。",
    }
    for code in hanging:
        assert trails_off(hanging[code], code), code
        assert not trails_off(finished[code], code) and ends_sentence(finished[code], code), code
    assert trails_off("データベースを移行して、", "ja-JP")  # Whisper's own comma
    assert hands_back("どう思いますか？", "ja-JP") and hands_back("¿Puedes repetir la pregunta?", "es-US")


def test_a_short_answer_is_short_in_words_or_their_character_equivalent() -> None:
    from preppal.live.offline.turn_policy import PauseEvidence, TurnPolicy, is_short

    ja = TurnPolicy(language="ja-JP")
    assert is_short(PauseEvidence(0, text="はい、そうです。"), ja)  # 8 characters ≈ 3 words
    assert not is_short(PauseEvidence(0, text="前の会社では、決済システムのデータベースを一人で移行しました。"), ja)
