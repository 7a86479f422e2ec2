"""What each supported Gemini Live model accepts and how it behaves: one row per model.

Google's Live models differ on the wire (docs/gemini.md has the table with a source and a
date for every fact): how text may enter a session, which thinking field exists, whether
proactive audio may be switched off, whether function calls are asynchronous, whether one
server message carries several parts, whether ``interaction_status`` is reported. Every
place that depends on such a fact reads it from the session's :class:`LiveProfile` —
the session config (live/gemini_config.py), the text channel (greeting, resume cue, code
snapshots), the tool semantics, the message parsing — instead of testing model names.

Two facts are here for work that builds on them:
- ``client_activity_signals``: the model accepts ``activity_start``/``activity_end`` from the
  client with automatic activity detection disabled ("hold the floor", issue 19);
- ``function_calls``: blocking or asynchronous calls and response scheduling (the scorecard's
  Live function calls, issue 21).

An unknown model name gets its family's profile and one log line (:func:`profile_for`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from enum import StrEnum

log = logging.getLogger(__name__)


class Platform(StrEnum):
    GEMINI_API = "gemini-api"  # generativelanguage.googleapis.com, API key
    VERTEX = "vertex"  # Vertex AI (Gemini Enterprise Agent Platform)


class Stage(StrEnum):
    STABLE = "stable"
    PREVIEW = "preview"
    LEGACY = "legacy"  # still served; Google recommends moving off it
    DEPRECATED = "deprecated"  # a shutdown is announced or has happened


class Thinking(StrEnum):
    NONE = "none"  # no thinking field at all: sending thinking_config is an error
    LEVEL = "level"  # thinking_level (minimal/low/medium/high)
    BUDGET = "budget"  # thinking_budget in tokens (0 = off, -1 = dynamic)


class Proactivity(StrEnum):
    ALWAYS_ON = "always-on"  # proactive audio cannot be switched off (false is an error)
    UNSUPPORTED = "unsupported"  # the config field is not accepted
    OPTIONAL = "optional"  # off unless requested


class TextChannel(StrEnum):
    """How text (greeting cue, resume cue, code snapshots) enters a running session."""

    CLIENT_CONTENT = "client_content"  # send_client_content for the whole session
    REALTIME_TEXT = "realtime_text"  # client_content only seeds initial history; text goes as realtime input


@dataclass(frozen=True, slots=True)
class FunctionCalls:
    """How the model runs function calls (Live API tool use)."""

    default: str  # "BLOCKING" or "NON_BLOCKING": what a declaration without ``behavior`` gets
    accepted: frozenset[str]  # ``behavior`` values a declaration may carry ("" = the field is not accepted)
    scheduling: bool  # FunctionResponse.scheduling (SILENT / WHEN_IDLE / INTERRUPT) is honoured

    @property
    def asynchronous(self) -> bool:
        """Calls can run while the model keeps talking (NON_BLOCKING is available)."""
        return self.default == "NON_BLOCKING" or "NON_BLOCKING" in self.accepted

    def declared_behavior(self) -> str | None:
        """The ``behavior`` we declare: asynchronous where the model accepts it, else none
        (a model that takes no ``behavior`` field runs its calls blocking)."""
        return "NON_BLOCKING" if "NON_BLOCKING" in self.accepted else None


ASYNC_DEFAULT = FunctionCalls("NON_BLOCKING", frozenset({"NON_BLOCKING", "BLOCKING"}), scheduling=True)
ASYNC_ONLY = FunctionCalls("NON_BLOCKING", frozenset({"NON_BLOCKING"}), scheduling=True)
SYNC_ONLY = FunctionCalls("BLOCKING", frozenset(), scheduling=False)
SYNC_DEFAULT = FunctionCalls("BLOCKING", frozenset({"BLOCKING", "NON_BLOCKING"}), scheduling=True)


@dataclass(frozen=True, slots=True)
class LiveProfile:
    """One Live model as our client uses it. Field comments name the behaviour; the
    sources are in docs/gemini.md (section "Profiles")."""

    model: str
    family: str  # profiles of one family behave alike; an unknown name falls back by family
    platform: Platform
    stage: Stage
    thinking: Thinking
    thinking_level: str | None  # what we send when thinking is LEVEL (None: the model's default)
    proactivity: Proactivity
    affective_dialog: bool  # enable_affective_dialog is accepted (we never enable it)
    text_channel: TextChannel
    multi_part_messages: bool  # one serverContent may carry audio and transcripts together
    function_calls: FunctionCalls
    interaction_status: bool  # serverContent reports IN_PROGRESS / IDLE (background reasoning)
    client_activity_signals: bool  # activity_start/activity_end accepted with automatic detection off
    transcription_mode: bool  # AudioTranscriptionConfig.mode (VERBATIM/SMART) documented for this model
    shutdown: str = ""  # announced shutdown date (ISO), when there is one
    successor: str = ""  # the model Google recommends instead, for a deprecated one

    @property
    def deprecated(self) -> bool:
        return self.stage is Stage.DEPRECATED


# ---- the table --------------------------------------------------------------------------------

GEMINI_38_LIVE = LiveProfile(
    model="gemini-3.8-live",
    family="3.8-live",
    platform=Platform.GEMINI_API,
    stage=Stage.STABLE,
    thinking=Thinking.NONE,
    thinking_level=None,
    proactivity=Proactivity.ALWAYS_ON,
    affective_dialog=False,
    text_channel=TextChannel.CLIENT_CONTENT,
    multi_part_messages=True,
    function_calls=ASYNC_DEFAULT,
    interaction_status=False,
    client_activity_signals=True,
    transcription_mode=False,
)
GEMINI_38_LIVE_EXTENDED_THINKING = replace(
    GEMINI_38_LIVE,
    model="gemini-3.8-live-extended-thinking",
    family="3.8-live-extended-thinking",
    thinking=Thinking.LEVEL,
    thinking_level="LOW",  # background reasoning still runs; the spoken reply should not wait on it
    function_calls=ASYNC_ONLY,
    interaction_status=True,
)
GEMINI_31_FLASH_LIVE = LiveProfile(
    model="gemini-3.1-flash-live-preview",
    family="3.1-flash-live",
    platform=Platform.GEMINI_API,
    stage=Stage.LEGACY,
    thinking=Thinking.LEVEL,
    thinking_level=None,  # the default (minimal) is the low-latency choice
    proactivity=Proactivity.UNSUPPORTED,
    affective_dialog=False,
    text_channel=TextChannel.REALTIME_TEXT,
    multi_part_messages=True,
    function_calls=SYNC_ONLY,
    interaction_status=False,
    client_activity_signals=True,
    transcription_mode=False,
)
GEMINI_25_NATIVE_AUDIO = LiveProfile(
    model="gemini-2.5-flash-native-audio-preview-12-2025",
    family="2.5-flash-native-audio",
    platform=Platform.GEMINI_API,
    stage=Stage.DEPRECATED,
    thinking=Thinking.BUDGET,
    thinking_level=None,
    proactivity=Proactivity.OPTIONAL,
    affective_dialog=True,
    text_channel=TextChannel.CLIENT_CONTENT,
    multi_part_messages=False,
    function_calls=SYNC_DEFAULT,
    interaction_status=False,
    client_activity_signals=True,
    transcription_mode=False,
    successor="gemini-3.8-live",
)
VERTEX_LIVE_25_NATIVE_AUDIO = replace(
    GEMINI_25_NATIVE_AUDIO,
    model="gemini-live-2.5-flash-native-audio",
    family="vertex-live-2.5-native-audio",
    platform=Platform.VERTEX,
    stage=Stage.STABLE,
    successor="",
)

PROFILES: dict[str, LiveProfile] = {
    p.model: p
    for p in (
        GEMINI_38_LIVE,
        GEMINI_38_LIVE_EXTENDED_THINKING,
        GEMINI_31_FLASH_LIVE,
        GEMINI_25_NATIVE_AUDIO,
        VERTEX_LIVE_25_NATIVE_AUDIO,
    )
}
DEFAULT_PROFILE = GEMINI_38_LIVE

# Families for names not in the table (new dated versions, "-latest" aliases, custom tunes),
# most specific first.
_FAMILIES: tuple[tuple[re.Pattern[str], LiveProfile], ...] = (
    (re.compile(r"live.*extended-thinking|extended-thinking.*live"), GEMINI_38_LIVE_EXTENDED_THINKING),
    (re.compile(r"^gemini-live-2\.5"), VERTEX_LIVE_25_NATIVE_AUDIO),
    (re.compile(r"native-audio"), GEMINI_25_NATIVE_AUDIO),
    (re.compile(r"^gemini-3\.1-.*live"), GEMINI_31_FLASH_LIVE),
    (re.compile(r"live"), GEMINI_38_LIVE),
)
_announced: set[str] = set()


def bare_name(model: str) -> str:
    """``models/x``, ``publishers/google/models/x`` and ``projects/…/models/x`` → ``x``."""
    return model.strip().rsplit("/", 1)[-1]


def profile_for(model: str) -> LiveProfile:
    """The profile of ``model``; an unknown name gets its family's (logged once per name)."""
    name = bare_name(model)
    known = PROFILES.get(name)
    if known is not None:
        return known
    family = next((p for pattern, p in _FAMILIES if pattern.search(name)), DEFAULT_PROFILE)
    if name not in _announced:
        _announced.add(name)
        log.warning(
            "Gemini Live model %r has no profile of its own; using the %s family's (%s). "
            "Run `preppal doctor` to check it.",
            name,
            family.family,
            family.model,
        )
    return replace(family, model=name)
