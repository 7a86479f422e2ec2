"""Display labels and formats: the one place where a stored value becomes words on a page,
in an export or in a prompt.

Pages, state, the export and the feedback prompt all read from here, so "Warm-up" is
spelled one way and a time is written one way everywhere. Tables are keyed by the model
enums (they are ``StrEnum``s, so the plain stored string finds the same entry).

The UI speaks English; what shows an interview's *content* — its date on the interview and
feedback pages, its delivery metrics, its Markdown/PDF export — follows the interview's
language (``language=``): a French interview reads "26 nov. 2026, 00:40 UTC" and "1,5 s",
a Japanese one "2026年11月26日 0:40 UTC"; English uses the UI's own (British) formats.
Babel ships CLDR data (no system locales, thread-safe), so pages and exports built on the
server share these formats. Times stay in UTC, as everywhere in the UI.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Optional

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from babel.numbers import format_percent as _babel_percent

from preppal import editor
from preppal.languages import DEFAULT_LANGUAGE, LANGUAGES, get_language
from preppal.models import Difficulty, InterviewStatus, InterviewType, Speaker
from preppal.patience import LEVELS, patience_for


@dataclass(frozen=True)
class Choice:
    """One option of a setting: the stored value, its label, and an optional hint."""

    value: str
    label: str
    hint: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", str(self.value))  # a plain string, not the enum member


INTERVIEW_TYPES: tuple[Choice, ...] = (
    Choice(InterviewType.BEHAVIOURAL, "Behavioural", "Past situations, teamwork, conflict (STAR answers)"),
    Choice(InterviewType.TECHNICAL, "Technical", "Concepts, trade-offs and problem solving, out loud"),
    Choice(InterviewType.SYSTEM_DESIGN, "System design", "Design a system, scale it, defend the choices"),
    Choice(InterviewType.ROLE_SPECIFIC, "Role-specific", "Questions shaped by the role and job description"),
)
DIFFICULTIES: tuple[Choice, ...] = (
    Choice(Difficulty.WARMUP, "Warm-up"),
    Choice(Difficulty.STANDARD, "Standard"),
    Choice(Difficulty.INTENSE, "Intense"),
)
# Status: the badge label, the word inside a sentence (screen readers), the badge colour.
STATUSES: tuple[Choice, ...] = (
    Choice(InterviewStatus.PENDING, "Ready to start", "ready to start"),
    Choice(InterviewStatus.IN_PROGRESS, "Live", "live"),
    Choice(InterviewStatus.COMPLETED, "Completed", "completed"),
    Choice(InterviewStatus.ERROR, "Failed", "failed"),
)
STATUS_COLORS: dict[str, str] = {
    InterviewStatus.PENDING.value: "amber",
    InterviewStatus.IN_PROGRESS.value: "blue",
    InterviewStatus.COMPLETED.value: "green",
    InterviewStatus.ERROR.value: "red",
}
# Interviewer: short (lists, exports) and long (the call page, where it matters which one).
INTERVIEWERS: tuple[Choice, ...] = (
    Choice("gemini", "Gemini Live", "Gemini Live interviewer"),
    Choice("offline", "Offline voice", "Offline interviewer (on this server)"),
)
SPEAKERS: dict[str, str] = {Speaker.USER.value: "You", Speaker.AI.value: "Interviewer"}
PROVIDERS: dict[str, str] = {"google": "Google", "github": "GitHub"}
# What the delivery metrics were measured from (Feedback.metrics["source"]).
METRICS_SOURCES: dict[str, str] = {
    "audio": "Your recording",
    "transcript": "Transcript timing (no recording; approximate)",
    "measuring": "Measuring from your recording… (transcript timing until then)",
}
NONE = "—"


def metrics_source_label(source: str) -> str:
    """Where delivery metrics come from; older rows without a source were transcript-timed."""
    return METRICS_SOURCES.get(source or "transcript", METRICS_SOURCES["transcript"])


def _label(choices: tuple[Choice, ...], value: object) -> str:
    key = str(getattr(value, "value", value) or "")
    return next((c.label for c in choices if c.value == key), key)


def type_label(value: object) -> str:
    return _label(INTERVIEW_TYPES, value)


def difficulty_label(value: object) -> str:
    return _label(DIFFICULTIES, value)


# Patience: "auto" (stored as "") follows the difficulty (preppal.patience).
PATIENCE_AUTO = "auto"
PATIENCES: tuple[Choice, ...] = (
    Choice(PATIENCE_AUTO, "Auto"),
    *(Choice(level.patience.value, level.label) for level in LEVELS.values()),
)


# Who ends the candidate's turn with Gemini (preppal.patience; docs/turn-taking.md).
HANDS_FREE, HOLD_TO_TALK = "hands_free", "hold"
TURN_MODES: tuple[Choice, ...] = (
    Choice(HANDS_FREE, "Hands-free"),
    Choice(HOLD_TO_TALK, "I'll hold a key"),
)


def turn_mode_label(hands_free: object) -> str:
    return _label(TURN_MODES, HANDS_FREE if hands_free is not False else HOLD_TO_TALK)


def patience_label(patience: str, difficulty: object) -> str:
    """ "Patient" for a set level; "Patient (from Warm-up)" when it follows the difficulty."""
    level = patience_for(patience, str(getattr(difficulty, "value", difficulty)))
    return level.label if patience else f"{level.label} (from {difficulty_label(difficulty)})"


def status_label(value: object) -> str:
    return _label(STATUSES, value)


def status_words(value: object) -> str:
    key = str(getattr(value, "value", value) or "")
    return next((c.hint for c in STATUSES if c.value == key), key.lower())


def interviewer_label(value: object, *, long: bool = False) -> str:
    key = str(value or "")
    choice = next((c for c in INTERVIEWERS if c.value == key), None)
    if choice is None:
        return key or NONE
    return choice.hint if long else choice.label


def speaker_label(value: object) -> str:
    return SPEAKERS.get(str(getattr(value, "value", value)), "Interviewer")


def provider_label(name: str) -> str:
    return PROVIDERS.get(name, name.title())


def _aware(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    return Locale.parse(get_language(language).locale)


def preload_locales() -> None:
    """Load every offered locale's CLDR data now (12-65 ms of file reads each on first use,
    measured): the app's warm-up calls this in a thread so no page event pays it on the loop."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for lang in LANGUAGES:
        when(moment, lang.code)
        number(1.5, lang.code)
        percent(0.5, lang.code)


def language_label(code: str) -> str:
    """ "Spanish (Español)": the English name with the language's own name."""
    return get_language(code).label


def language_options() -> list[tuple[str, str]]:
    """(code, label) for every offered language, English first (the picker)."""
    return [(lang.code, lang.label) for lang in LANGUAGES]


def code_language_label(language: str) -> str:
    """The code editor's language as pages, exports and prompts name it ("C++", "Notes / diagram (text)")."""
    return editor.code_language_name(language)


def code_language_options() -> list[dict[str, str]]:
    """The editor's language picker, in display order (a prop of the browser component)."""
    return [{"id": key, "label": name} for key, name in editor.LANGUAGES.items()]


def when(value: Optional[datetime], language: str = DEFAULT_LANGUAGE) -> str:
    """A moment in UTC, e.g. "6 Mar 2026, 14:05 UTC" (in ``language``'s locale); "—" for None."""
    if value is None:
        return NONE
    moment = _aware(value)
    loc = _locale(language)
    day_part = format_skeleton("yMMMd", moment, tzinfo=UTC, locale=loc)
    clock_part = format_skeleton("Hm", moment, tzinfo=UTC, locale=loc)
    return f"{loc.datetime_formats['medium'].format(clock_part, day_part)} UTC"


def browser_time_format() -> dict[str, str]:
    """How a browser component writes a time of day the way :func:`when` does ("14:05 UTC"):
    the UI's locale and time zone for ``Intl.DateTimeFormat`` (24-hour hours and minutes),
    and the zone's name after it. A prop, so the format has this one home."""
    loc = _locale(DEFAULT_LANGUAGE)
    return {"locale": f"{loc.language}-{loc.territory}" if loc.territory else loc.language, "zone": "UTC"}


def day(value: datetime) -> str:
    """A day on a chart axis, e.g. "6 Mar"."""
    return _aware(value).strftime("%-d %b")


def file_day(value: datetime) -> str:
    """A day inside a file name (sorts by date): "2026-03-06"."""
    return _aware(value).strftime("%Y-%m-%d")


def _slug(text: str, *, ascii_only: bool) -> str:
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    # Marks stay: Devanagari vowel signs and viramas are part of their word ("सॉफ्टवेयर").
    slug = "".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else "-" for c in text.lower())
    return "-".join(part for part in slug.split("-") if part)[:40].strip("-")


def download_name(role: str, created_at: datetime, ext: str, *, part: str = "", ascii_only: bool = True) -> str:
    """Every download's file name: ``preppal-<day>-<role>[-<part>].<ext>`` (exports, recordings).

    ASCII by default (any header can carry it); ``ascii_only=False`` keeps the role's own
    letters for the RFC 5987 ``filename*`` beside it (:func:`preppal.api.headers.content_disposition`)."""
    slug = _slug(role, ascii_only=ascii_only) or "interview"
    return f"preppal-{file_day(created_at)}-{slug}{'-' + part if part else ''}.{ext}"


def number(value: Optional[float], language: str = DEFAULT_LANGUAGE, *, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals in the locale's style ("1,5", "1.234"); "–" for None."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale(language))


def percent(share: Optional[float], language: str = DEFAULT_LANGUAGE) -> str:
    """A share (0.42) as a whole percentage in the locale's style ("42 %" in French); "–" for None."""
    if share is None:
        return "–"
    return _babel_percent(share, locale=_locale(language))


def clock(ms: int) -> str:
    """A position in the interview, "m:ss" ("h:mm:ss" past an hour)."""
    seconds = max(0, int(ms)) // 1000
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration(seconds: Optional[int]) -> str:
    """How long an interview lasted, e.g. "12 min 5 s" ("not started" without both ends)."""
    if seconds is None:
        return "not started"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
