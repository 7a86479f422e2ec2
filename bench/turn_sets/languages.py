"""Spoken answers in each interview language for bench/offline_languages.py.

Per language, written for it (not translated line by line): ``DEV`` — answers the per-language
rules (unfinished-sentence words, requests) were checked against while they were written — and
``HELD`` — written after the rules were fixed and never used to change them: report both.
Each set has finished answers and mid-thought ones ``(first part, pause ms, rest)``, where
the pause falls inside a sentence. English reuses issue 19's sets (:mod:`bench.turn_sets.dev`,
:mod:`bench.turn_sets.held_back`).

Japanese is written as people write it (the reference for the character error rate) with the
kana espeak-ng reads beside it: ``(written, spoken)``. The other languages are spoken as written.
"""

from __future__ import annotations

from bench.turn_sets import dev as english_dev
from bench.turn_sets import held_back as english_held

Mid = tuple[str, int, str]
Finished = str | tuple[str, str]  # Japanese: (written, spoken in kana)

DEV: dict[str, tuple[list[Finished], list[Mid]]] = {
    "en-US": (english_dev.FINISHED[:4], english_dev.MID_THOUGHT[:3]),
    "es-US": (
        [
            "Trabajé tres años en el equipo de pagos.",
            "La migración duró seis semanas y nadie notó el cambio.",
            "Al final redujimos el tiempo de respuesta a la mitad.",
            "Mi jefa estuvo de acuerdo y lo lanzamos en el siguiente sprint.",
        ],
        [
            ("Lo primero que hice fue", 900, "leer todas las alertas de la noche anterior."),
            ("Decidimos reescribir el servicio porque", 1100, "el código viejo ya no escalaba."),
            ("El problema era que", 800, "la caché nunca caducaba."),
        ],
    ),
    "fr-FR": (
        [
            "J'ai passé trois ans dans l'équipe des paiements.",
            "La migration a duré six semaines et personne n'a rien remarqué.",
            "Au final, nous avons divisé le temps de réponse par deux.",
            "Ma responsable était d'accord, et nous l'avons livré au sprint suivant.",
        ],
        [
            ("La première chose que j'ai faite, c'est", 900, "relire toutes les alertes de la nuit."),
            ("Nous avons réécrit le service parce que", 1100, "l'ancien code ne tenait plus la charge."),
            ("Le problème, c'était que", 800, "le cache n'expirait jamais."),
        ],
    ),
    "de-DE": (
        [
            "Ich war drei Jahre im Team für Zahlungen.",
            "Die Migration hat sechs Wochen gedauert, und niemand hat etwas gemerkt.",
            "Am Ende haben wir die Antwortzeit halbiert.",
            "Meine Chefin war einverstanden, und wir haben es im nächsten Sprint ausgeliefert.",
        ],
        [
            ("Als Erstes habe ich", 900, "alle Alarme der letzten Nacht gelesen."),
            ("Wir haben den Dienst neu geschrieben, weil", 1100, "der alte Code nicht mehr skaliert hat."),
            ("Das Problem war, dass", 800, "der Cache nie abgelaufen ist."),
        ],
    ),
    "pt-BR": (
        [
            "Trabalhei três anos no time de pagamentos.",
            "A migração levou seis semanas e ninguém percebeu a troca.",
            "No fim, reduzimos o tempo de resposta pela metade.",
            "Minha gestora concordou, e lançamos no sprint seguinte.",
        ],
        [
            ("A primeira coisa que eu fiz foi", 900, "ler todos os alertas da noite anterior."),
            ("Reescrevemos o serviço porque", 1100, "o código antigo não aguentava mais."),
            ("O problema era que", 800, "o cache nunca expirava."),
        ],
    ),
    "hi-IN": (
        [
            "मैंने तीन साल पेमेंट टीम में काम किया।",
            "माइग्रेशन में छह हफ़्ते लगे और किसी को पता भी नहीं चला।",
            "आखिर में हमने रिस्पॉन्स टाइम आधा कर दिया।",
            "मेरी मैनेजर मान गईं और हमने अगले स्प्रिंट में इसे लॉन्च किया।",
        ],
        [
            ("सबसे पहले मैंने", 900, "रात के सारे अलर्ट पढ़े।"),
            ("हमने सर्विस दोबारा लिखी क्योंकि", 1100, "पुराना कोड बढ़ता लोड नहीं संभाल पा रहा था।"),
            ("समस्या यह थी कि", 800, "कैश कभी खत्म ही नहीं होता था।"),
        ],
    ),
    "ja-JP": (
        [
            ("決済チームで三年間働きました。", "けっさいチームで さんねんかん はたらきました。"),
            (
                "移行には六週間かかりましたが、誰も気づきませんでした。",
                "いこうには ろくしゅうかん かかりましたが、だれも きづきませんでした。",
            ),
            ("最終的に、応答時間を半分にしました。", "さいしゅうてきに、おうとうじかんを はんぶんに しました。"),
            (
                "上司が賛成してくれて、次のスプリントでリリースしました。",
                "じょうしが さんせいしてくれて、つぎの スプリントで リリースしました。",
            ),
        ],
        [
            ("まず最初に、", 900, "ゆうべの アラートを ぜんぶ よみました。"),
            ("サービスを書き直したのは、", 1100, "ふるい コードが もう もたなかったからです。"),
            ("問題は、", 800, "キャッシュが ずっと きれなかった ことです。"),
        ],
    ),
    "zh-CN": (
        [
            "我在支付团队工作了三年。",
            "迁移用了六周，没有人注意到切换。",
            "最后我们把响应时间降低了一半。",
            "我的领导同意了，我们在下一个迭代就上线了。",
        ],
        [
            ("我做的第一件事是", 900, "把前一天晚上的告警都看了一遍。"),
            ("我们重写了这个服务，因为", 1100, "旧代码已经扛不住了。"),
            ("问题在于", 800, "缓存一直不过期。"),
        ],
    ),
}

HELD: dict[str, tuple[list[Finished], list[Mid]]] = {
    "en-US": (english_held.FINISHED[:3], english_held.MID_THOUGHT[:2]),
    "es-US": (
        [
            "Escribí las pruebas antes de tocar el código.",
            "El cliente renovó el contrato por dos años más.",
            "Hoy lo haría con una cola de mensajes.",
        ],
        [
            ("Hablé con el equipo de diseño sobre", 1000, "cómo encuentran el botón los usuarios."),
            ("Pasamos de diez mil a", 900, "casi un millón de usuarios."),
        ],
    ),
    "fr-FR": (
        [
            "J'ai écrit les tests avant de toucher au code.",
            "Le client a renouvelé son contrat pour deux ans.",
            "Aujourd'hui, je le ferais avec une file de messages.",
        ],
        [
            ("J'ai parlé avec la designeuse de", 1000, "la façon dont les gens trouvent le bouton."),
            ("Nous sommes passés de dix mille à", 900, "presque un million d'utilisateurs."),
        ],
    ),
    "de-DE": (
        [
            "Ich habe die Tests geschrieben, bevor ich den Code angefasst habe.",
            "Der Kunde hat seinen Vertrag um zwei Jahre verlängert.",
            "Heute würde ich das mit einer Warteschlange lösen.",
        ],
        [
            ("Ich habe mit der Designerin darüber gesprochen, wie", 1000, "die Leute den Knopf finden."),
            ("Wir sind von zehntausend auf", 900, "fast eine Million Nutzer gewachsen."),
        ],
    ),
    "pt-BR": (
        [
            "Escrevi os testes antes de mexer no código.",
            "O cliente renovou o contrato por mais dois anos.",
            "Hoje eu faria isso com uma fila de mensagens.",
        ],
        [
            ("Conversei com a designer sobre", 1000, "como as pessoas encontram o botão."),
            ("Passamos de dez mil para", 900, "quase um milhão de usuários."),
        ],
    ),
    "hi-IN": (
        [
            "कोड छूने से पहले मैंने टेस्ट लिखे।",
            "ग्राहक ने दो साल के लिए कॉन्ट्रैक्ट बढ़ा दिया।",
            "आज मैं इसे मैसेज क्यू से करता।",
        ],
        [
            ("मैंने डिज़ाइनर से बात की कि", 1000, "लोग बटन कैसे ढूँढते हैं।"),
            ("हमारे यूज़र दस हज़ार से बढ़कर", 900, "लगभग दस लाख हो गए।"),
        ],
    ),
    "ja-JP": (
        [
            ("コードを触る前に、テストを書きました。", "コードを さわるまえに、テストを かきました。"),
            ("お客様は契約を二年延長してくれました。", "おきゃくさまは けいやくを にねん えんちょうしてくれました。"),
            ("今ならメッセージキューで作ります。", "いまなら メッセージキューで つくります。"),
        ],
        [
            ("デザイナーと話したのは、", 1000, "ユーザーが ボタンを どう みつけるか です。"),
            ("ユーザーは いちまんにんから", 900, "ひゃくまんにん ちかくまで ふえました。"),
        ],
    ),
    "zh-CN": (
        [
            "在改代码之前，我先写了测试。",
            "客户把合同续签了两年。",
            "如果现在做，我会用消息队列。",
        ],
        [
            ("我和设计师聊了", 1000, "用户是怎么找到那个按钮的。"),
            ("我们的用户从一万涨到了", 900, "将近一百万。"),
        ],
    ),
}
