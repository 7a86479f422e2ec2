"""The Live session config and the text channel, built from the model's profile.

:func:`live_config` is the one place that turns an interview brief, our settings and the
model's :class:`~preppal.live.gemini_profiles.LiveProfile` into the ``setup`` Gemini gets;
:class:`TextSender` is the one place text enters a running session (the greeting cue, the
resume cue, code snapshots). ``preppal doctor`` opens its test session with the same
function, so what it checks is what interviews send.

Listening (automatic activity detection) is tuned for candidates who think aloud: the model
waits for ``silence_ms`` of silence with a LOW end-of-speech sensitivity before it takes the
turn (docs/gemini.md, "Listening", explains the numbers). The interview's patience scales it
(preppal/patience.py: by default harder interviews are a little less patient, like a real
final round). An interview that is not hands-free turns automatic detection off where the
model allows it: the candidate's hold sends activity_start/activity_end (docs/turn-taking.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.genai import types

from preppal.languages import get_language
from preppal.live import scorecard_tools
from preppal.live.base import InterviewBrief
from preppal.live.gemini_profiles import LiveProfile, TextChannel, Thinking
from preppal.live.prompt import system_instruction
from preppal.patience import patience_for
from preppal.rubric import rubric_for
from preppal.settings import Settings

END_TOOL = "end_interview"
END_TOOL_DESCRIPTION = "End the interview after you have said goodbye to the candidate."
MIN_SILENCE_MS = 300  # below this the model takes the turn at every breath


@dataclass(frozen=True, slots=True)
class Listening:
    """How the model decides the candidate has finished (automatic activity detection)."""

    end_sensitivity: str  # "LOW" | "HIGH": LOW ends speech less often
    silence_ms: int  # silence before end of speech is committed
    automatic: bool = True  # False: the client sends activity_start/activity_end (profile permitting)

    @classmethod
    def for_interview(
        cls, difficulty: str, settings: Settings, patience: str = "", *, hold_to_talk: bool = False
    ) -> Listening:
        """``hold_to_talk``: not hands-free, on a model that takes client activity signals."""
        share = patience_for(patience, difficulty).gemini_silence_share
        silence = max(MIN_SILENCE_MS, round(settings.gemini_silence_ms * share))
        return cls(settings.gemini_end_sensitivity, silence, automatic=not hold_to_talk)

    def realtime_input_config(self) -> types.RealtimeInputConfig:
        if not self.automatic:
            return types.RealtimeInputConfig(
                automatic_activity_detection=types.AutomaticActivityDetection(disabled=True)
            )
        sensitivity = types.EndSensitivity(f"END_SENSITIVITY_{self.end_sensitivity}")
        detection = types.AutomaticActivityDetection(
            end_of_speech_sensitivity=sensitivity, silence_duration_ms=self.silence_ms
        )
        return types.RealtimeInputConfig(automatic_activity_detection=detection)


def thinking_config(profile: LiveProfile) -> types.ThinkingConfig | None:
    """Only what the model has: 3.8 Live has no thinking field at all (sending one is an
    error), 3.1 and the extended-thinking model take a level, 2.5 a token budget (its
    dynamic default is kept)."""
    if profile.thinking is Thinking.LEVEL and profile.thinking_level:
        return types.ThinkingConfig(thinking_level=types.ThinkingLevel(profile.thinking_level))
    return None


def end_tool(profile: LiveProfile) -> types.Tool:
    behavior = profile.function_calls.declared_behavior()
    declaration = types.FunctionDeclaration(
        name=END_TOOL,
        description=END_TOOL_DESCRIPTION,
        behavior=types.Behavior(behavior) if behavior else None,
    )
    return types.Tool(function_declarations=[declaration])


def scorecard_tool(profile: LiveProfile, brief: InterviewBrief) -> types.Tool:
    """The question-marker and evidence-note tools for this interview's rubric (live/scorecard_tools.py)."""
    r = rubric_for(brief.interview_type, brief.difficulty, job_description=brief.job_description, role=brief.role)
    return types.Tool(function_declarations=scorecard_tools.declarations(profile, r))


def transcription(profile: LiveProfile, language: str) -> types.AudioTranscriptionConfig:
    """Transcription in the interview's language. Verbatim (fillers kept) is the documented
    default when ``mode`` is unset; the field itself is sent only to models documented to
    take it (none of the conversational Live models yet: docs/gemini.md)."""
    mode = types.AudioTranscriptionConfigMode.VERBATIM if profile.transcription_mode else None
    return types.AudioTranscriptionConfig(language_codes=[language], mode=mode)


def live_config(
    profile: LiveProfile,
    brief: InterviewBrief,
    settings: Settings,
    *,
    resume_handle: str | None = None,
    listening: Listening | None = None,
) -> types.LiveConnectConfig:
    """The session config for one interview on ``profile``'s model."""
    voice = types.VoiceConfig(prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=settings.gemini_voice))
    # languageCode steers half-cascade models; native-audio models follow the system
    # instruction's language rule (preppal.prompt.language_rule). Transcription gets the same
    # code as a hint, so the transcript is written in the interview's language.
    language = get_language(brief.language).gemini_code
    hold_to_talk = not brief.hands_free and profile.client_activity_signals
    listening = listening or Listening.for_interview(
        brief.difficulty, settings, brief.patience, hold_to_talk=hold_to_talk
    )
    # Proactive audio lets a model stay silent when it judges speech "not directed at it";
    # an interviewer must answer, so we never ask for it. Where it is always on (3.8), saying
    # false is an error, so the field is left out everywhere.
    return types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        speech_config=types.SpeechConfig(voice_config=voice, language_code=language),
        system_instruction=types.Content(parts=[types.Part(text=system_instruction(brief))]),
        input_audio_transcription=transcription(profile, language),
        output_audio_transcription=types.AudioTranscriptionConfig(language_codes=[language]),
        realtime_input_config=listening.realtime_input_config(),
        context_window_compression=types.ContextWindowCompressionConfig(sliding_window=types.SlidingWindow()),
        session_resumption=types.SessionResumptionConfig(handle=resume_handle),
        thinking_config=thinking_config(profile),
        tools=[end_tool(profile), scorecard_tool(profile, brief)],
    )


class TextSender:
    """Text into a running session, the way the model takes it.

    - ``cue``: ask the model to speak now (the greeting, the apology after a dropped call);
    - ``context``: add to the conversation without asking for a reply (code snapshots).

    Models with full-session client content get ``client_content`` (``turn_complete`` True
    for a cue, False for context). Models that take client content only as initial history
    (3.1 Flash Live) get realtime text for both: realtime text counts as candidate input, so
    a snapshot can prompt a reply; the snapshot's own wording asks the model not to answer
    it alone (preppal.live.prompt.code_context).
    """

    def __init__(self, profile: LiveProfile) -> None:
        self.channel = profile.text_channel

    async def cue(self, session: Any, text: str) -> None:
        await self._send(session, text, turn_complete=True)

    async def context(self, session: Any, text: str) -> None:
        await self._send(session, text, turn_complete=False)

    async def _send(self, session: Any, text: str, *, turn_complete: bool) -> None:
        if self.channel is TextChannel.REALTIME_TEXT:
            await session.send_realtime_input(text=text)
        else:
            turn = types.Content(role="user", parts=[types.Part(text=text)])
            await session.send_client_content(turns=turn, turn_complete=turn_complete)


def warm_types() -> None:
    """Build and dump one Live config: pydantic builds google-genai's schemas on first use
    (tens of ms of CPU). Called on a thread at start-up so the first call does not pay it."""
    transcription_config = types.AudioTranscriptionConfig(language_codes=["en-US"])
    types.LiveConnectConfig(
        response_modalities=[types.Modality.AUDIO],
        speech_config=types.SpeechConfig(language_code="en-US"),
        input_audio_transcription=transcription_config,
        output_audio_transcription=transcription_config,
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(silence_duration_ms=1000)
        ),
        context_window_compression=types.ContextWindowCompressionConfig(sliding_window=types.SlidingWindow()),
        session_resumption=types.SessionResumptionConfig(),
    ).model_dump(exclude_none=True)
