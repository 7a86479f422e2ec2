"""The interview languages Preppal offers: one catalogue for every layer.

An interview stores its language as a BCP-47 tag (``Interview.language``). Everything that
depends on it reads this catalogue: the Gemini setup (speech language code, the system
instruction's "speak X"), the feedback request ("write in X"), the metrics (how to count
words and which pace range is normal) and the display formats (Babel locale).

Why these codes: Gemini Live lists ``en-US es-US fr-FR de-DE pt-BR hi-IN ja-JP cmn-CN``
among its speech languages. Native-audio models pick the spoken language themselves and
ignore ``speechConfig.languageCode`` (Google's Live API guide); the system instruction is
what makes them speak it, so both are sent. Mandarin is stored as ``zh-CN`` (the tag
browsers and CLDR/Babel use) and sent to Gemini as ``cmn-CN``.

The offline interviewer: Whisper tiny.en listens to English, the multilingual Whisper base
model to the others (``whisper``: the language Whisper is told), and espeak-ng speaks with the
language's own voice (``espeak``: the voice's identifier in espeak-ng's data, e.g. ``es-419``
for Latin-American Spanish, ``cmn`` for Mandarin). ``offline``: it can hold the interview.
Pure data, no imports from the app: the live, service and UI layers all use it.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en-US"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # BCP-47, what the interview row stores
    name: str  # English name: UI label and the name used in prompts ("speak Spanish")
    native: str  # the language's own name, shown beside the English one in the picker
    gemini_code: str  # speechConfig.languageCode / transcription language for Gemini Live
    locale: str  # Babel/CLDR locale for dates and numbers of this interview's content
    spaced: bool = True  # words separated by spaces; False: count characters (ja, zh)
    pace_range: tuple[int, int] = (120, 165)  # comfortable pace in units/min (words or characters)
    whisper: str = "en"  # the language code Whisper is given (offline listening)
    espeak: str = "en-us"  # espeak-ng voice identifier (offline speaking)
    offline: bool = True  # the offline interviewer can hold it (its language pack is written)

    @property
    def unit(self) -> str:
        """What pace and answer length are counted in."""
        return "words" if self.spaced else "characters"

    @property
    def label(self) -> str:
        return self.name if self.native == self.name else f"{self.name} ({self.native})"


LANGUAGES: tuple[Language, ...] = (
    # English interviews keep the UI's own formats (the UI is written in British English).
    Language("en-US", "English", "English", "en-US", "en_GB"),
    Language("es-US", "Spanish", "Español", "es-US", "es_US", pace_range=(130, 180), whisper="es", espeak="es-419"),
    Language("fr-FR", "French", "Français", "fr-FR", "fr_FR", pace_range=(130, 180), whisper="fr", espeak="fr"),
    Language("de-DE", "German", "Deutsch", "de-DE", "de_DE", pace_range=(110, 155), whisper="de", espeak="de"),
    Language("pt-BR", "Portuguese", "Português", "pt-BR", "pt_BR", pace_range=(130, 180), whisper="pt", espeak="pt-br"),
    Language("hi-IN", "Hindi", "हिन्दी", "hi-IN", "hi_IN", pace_range=(110, 160), whisper="hi", espeak="hi"),
    # Characters per minute: Japanese mixes kanji and kana (~300-400 kana-mora/min spoken),
    # Mandarin is one syllable per character (~180-260/min in calm speech).
    Language(
        "ja-JP", "Japanese", "日本語", "ja-JP", "ja_JP", spaced=False, pace_range=(250, 400), whisper="ja", espeak="ja"
    ),
    Language(
        "zh-CN",
        "Mandarin Chinese",
        "普通话",
        "cmn-CN",
        "zh_Hans_CN",
        spaced=False,
        pace_range=(180, 260),
        whisper="zh",
        espeak="cmn",
    ),
)
_BY_CODE = {lang.code: lang for lang in LANGUAGES}
CODES: tuple[str, ...] = tuple(_BY_CODE)


def is_supported(code: str) -> bool:
    return code in _BY_CODE


def get_language(code: str | None) -> Language:
    """The catalogue entry for ``code``; unknown or empty codes (old rows) mean English."""
    return _BY_CODE.get(code or DEFAULT_LANGUAGE, _BY_CODE[DEFAULT_LANGUAGE])


def offline_refusal(code: str | None) -> str | None:
    """The plain sentence shown when the offline interviewer cannot run ``code`` (None: it can)."""
    lang = get_language(code)
    if lang.offline:
        return None
    return (
        f"The offline interviewer cannot hold a {lang.name} interview, so it needs a Gemini API key "
        "(GEMINI_API_KEY) on the server."
    )
