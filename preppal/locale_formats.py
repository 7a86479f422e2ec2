"""Dates, numbers and language labels in an interview's own locale (Babel / CLDR).

The UI speaks English, but what shows an interview's content — its date on the interview
and feedback pages, its delivery metrics, its Markdown/PDF export — follows the interview's
language: a French interview reads "26 nov. 2026, 00:40 UTC" and "1,5 s", a Japanese one
"2026年11月26日 0:40 UTC". English interviews use the UI's own (British) formats.

Why Babel and not the browser's ``Intl``: the exports are built on the server, so the
formats must exist in Python; Babel ships CLDR data (no system locales, thread-safe), and
one Python home serves pages and exports alike. Times stay in UTC, as everywhere in the UI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Optional

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

from preppal.languages import LANGUAGES, get_language


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    return Locale.parse(get_language(language).locale)


def preload() -> None:
    """Load every offered locale's CLDR data now (12-65 ms of file reads each on first use,
    measured): the app's warm-up calls this in a thread so no page event pays it on the loop."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for lang in LANGUAGES:
        format_when(moment, lang.code)
        format_number(1.5, lang.code)
        format_percent(0.5, lang.code)


def language_label(code: str) -> str:
    """ "Spanish (Español)": the English name with the language's own name."""
    return get_language(code).label


def language_options() -> list[tuple[str, str]]:
    """(code, label) for every offered language, English first (the picker)."""
    return [(lang.code, lang.label) for lang in LANGUAGES]


def format_when(value: Optional[datetime], language: str) -> str:
    """Date and time (UTC) in the interview's locale; "—" when there is none."""
    if value is None:
        return "—"
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    loc = _locale(language)
    day = format_skeleton("yMMMd", moment, tzinfo=UTC, locale=loc)
    clock = format_skeleton("Hm", moment, tzinfo=UTC, locale=loc)
    return f"{loc.datetime_formats['medium'].format(clock, day)} UTC"


def format_number(value: Optional[float], language: str, *, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals in the locale's style ("1,5", "1.234"); "–" for None."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale(language))


def format_percent(share: Optional[float], language: str) -> str:
    """A share (0.42) as a whole percentage in the locale's style ("42 %" in French); "–" for None."""
    if share is None:
        return "–"
    return _babel_percent(share, locale=_locale(language))  # the locale's own pattern ("42 %" in French)
