"""What Google's service accepts per model: the stand-in's rule book (the test oracle).

Written from Google's pages (docs/gemini.md cites each one), independently of our client's
profiles (preppal/live/gemini_profiles.py): the stand-in refuses what the real service
refuses, with the close code and reason it sends, so a test proves that the config our
client builds for a model never trips a rule of that model. Each :class:`Refusal` says
whether the error itself is documented or only the restriction (then the close code and
reason are the generic invalid-argument ones Google sends for a bad setup, as seen in
public reports) — docs/gemini.md lists what a key holder can confirm with ``preppal doctor``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

INVALID = "Request contains an invalid argument."
BAD_KEY = "API key not valid. Please pass a valid API key."
LIVE = "bidiGenerateContent"
TEXT = "generateContent"


def unknown_field(name: str, where: str) -> str:
    return f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field."


def not_found(model: str, version: str, method: str = LIVE) -> str:
    return (
        f"models/{model} is not found for API version {version}, or is not supported for {method}. "
        "Call ListModels to see the list of available models and their supported methods."
    )


def get(obj: Any, *path: str) -> Any:
    """A nested setup field by snake_case path, accepting camelCase too (as the service does)."""
    node = obj
    for name in path:
        if not isinstance(node, dict):
            return None
        camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
        node = node.get(name, node.get(camel))
    return node


def declarations(setup: dict) -> list[dict]:
    return [d for tool in get(setup, "tools") or [] for d in get(tool, "function_declarations") or []]


@dataclass(frozen=True)
class Refusal:
    """One thing the service refuses in a setup message.

    ``provoke`` names the LiveConnectConfig fields (SDK names) that trip it, so a test can
    show the refusal happens — and that our own config, built for the model, never does it."""

    what: str
    trips: Callable[[dict], bool]
    provoke: dict[str, Any]
    reason: str = INVALID
    code: int = 1007
    documented: bool = True  # False: the restriction is documented, the exact error is assumed


def thinking_config(setup: dict) -> bool:
    return get(setup, "generation_config", "thinking_config") is not None


def thinking_level(setup: dict) -> bool:
    return get(setup, "generation_config", "thinking_config", "thinking_level") is not None


def thinking_budget(setup: dict) -> bool:
    return get(setup, "generation_config", "thinking_config", "thinking_budget") is not None


def proactive_audio_off(setup: dict) -> bool:
    return get(setup, "proactivity", "proactive_audio") is False


def any_proactivity(setup: dict) -> bool:
    return get(setup, "proactivity") is not None


def affective_dialog(setup: dict) -> bool:
    return get(setup, "generation_config", "enable_affective_dialog") is not None


def behavior(value: str) -> Callable[[dict], bool]:
    return lambda setup: any(str(get(d, "behavior") or "").upper() == value for d in declarations(setup))


def transcription_mode(setup: dict) -> bool:
    return any(
        get(setup, key, "mode") is not None for key in ("input_audio_transcription", "output_audio_transcription")
    )


def tool_with(behaviour: str) -> dict[str, Any]:
    return {"tools": [{"function_declarations": [{"name": "probe", "behavior": behaviour}]}]}


PROACTIVE_OFF = {"proactivity": {"proactive_audio": False}}
AFFECTIVE = {"enable_affective_dialog": True}
BUDGET = {"thinking_config": {"thinking_budget": 512}}
LEVEL = {"thinking_config": {"thinking_level": "LOW"}}
REMOVED_AFFECTIVE = Refusal(
    "enable_affective_dialog (removed from the Gemini API)",
    affective_dialog,
    AFFECTIVE,
    unknown_field("enable_affective_dialog", "setup.generation_config"),
)
NO_TRANSCRIPTION_MODE = Refusal(
    "AudioTranscriptionConfig.mode (documented for the transcribe models only)",
    transcription_mode,
    {"input_audio_transcription": {"mode": "VERBATIM"}},
    unknown_field("mode", "setup.input_audio_transcription"),
    documented=False,
)


@dataclass(frozen=True)
class ModelRules:
    """One model as the service treats it."""

    model: str
    methods: frozenset[str] = frozenset({LIVE})
    vertex: bool = False  # served on Vertex AI (aiplatform path), not the Gemini API
    refusals: tuple[Refusal, ...] = ()
    mid_session_client_content: bool = True  # False: client_content only as initial history
    multi_part: bool = False  # one serverContent carries audio + transcript (+ turnComplete)
    interaction_status: bool = False  # turnComplete comes with interactionStatus
    function_calls: str = "sync-default"  # async-default | async-only | sync-only | sync-default
    description: str = ""
    extra: dict = field(default_factory=dict)

    def refusal_for(self, setup: dict) -> Refusal | None:
        return next((r for r in self.refusals if r.trips(setup)), None)

    @property
    def asynchronous_calls(self) -> bool:
        """Calls run without holding the model by default."""
        return self.function_calls.startswith("async")

    def calls_async(self, setup: dict, name: str) -> bool:
        """Whether a call to the declared function ``name`` lets the model go on talking."""
        for declaration in declarations(setup):
            if get(declaration, "name") == name and get(declaration, "behavior"):
                return str(get(declaration, "behavior")).upper() == "NON_BLOCKING"
        return self.asynchronous_calls


NATIVE_AUDIO_25 = (
    Refusal("thinking_level (2.5 uses thinking_budget)", thinking_level, LEVEL, documented=False),
    NO_TRANSCRIPTION_MODE,
)
RULES: dict[str, ModelRules] = {
    r.model: r
    for r in (
        ModelRules(
            "gemini-3.8-live",
            refusals=(
                Refusal(
                    "thinking_config (3.8 Live has no thinking level)",
                    thinking_config,
                    {"thinking_config": {"thinking_level": "LOW"}},
                ),
                Refusal("proactive_audio: false (always on)", proactive_audio_off, PROACTIVE_OFF),
                REMOVED_AFFECTIVE,
                NO_TRANSCRIPTION_MODE,
            ),
            multi_part=True,
            function_calls="async-default",
        ),
        ModelRules(
            "gemini-3.8-live-extended-thinking",
            refusals=(
                Refusal("thinking_budget (thinking levels only)", thinking_budget, BUDGET, documented=False),
                Refusal("proactive_audio: false (always on)", proactive_audio_off, PROACTIVE_OFF, documented=False),
                REMOVED_AFFECTIVE,
                Refusal(
                    "behavior: BLOCKING (function calling is async only)",
                    behavior("BLOCKING"),
                    tool_with("BLOCKING"),
                    documented=False,
                ),
                NO_TRANSCRIPTION_MODE,
            ),
            multi_part=True,
            interaction_status=True,
            function_calls="async-only",
        ),
        ModelRules(
            "gemini-3.1-flash-live-preview",
            refusals=(
                Refusal("thinking_budget (3.1 uses thinking_level)", thinking_budget, BUDGET, documented=False),
                Refusal(
                    "proactivity (not supported)",
                    any_proactivity,
                    {"proactivity": {"proactive_audio": True}},
                    documented=False,
                ),
                Refusal("enable_affective_dialog (not supported)", affective_dialog, AFFECTIVE, documented=False),
                Refusal(
                    "behavior: NON_BLOCKING (synchronous calls only)",
                    behavior("NON_BLOCKING"),
                    tool_with("NON_BLOCKING"),
                    documented=False,
                ),
                NO_TRANSCRIPTION_MODE,
            ),
            mid_session_client_content=False,
            multi_part=True,
            function_calls="sync-only",
        ),
        ModelRules("gemini-2.5-flash-native-audio-preview-12-2025", refusals=NATIVE_AUDIO_25),
        ModelRules("gemini-live-2.5-flash-native-audio", vertex=True, refusals=NATIVE_AUDIO_25),
        # Text models: the current feedback default, and the retired one (still answers:
        # Google routes it to gemini-3.5-flash-lite, which is why our own table must catch it).
        ModelRules("gemini-3.8-flash", methods=frozenset({TEXT})),
        ModelRules("gemini-2.5-flash", methods=frozenset({TEXT}), description="Routed to gemini-3.5-flash-lite."),
    )
}
LIVE_MODELS = [name for name, rules in RULES.items() if LIVE in rules.methods]
