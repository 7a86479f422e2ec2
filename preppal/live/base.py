"""The live-backend vocabulary shared by the relay and every interviewer.

A backend is opened for one interview with an :class:`InterviewBrief`, takes candidate
audio (16 kHz PCM16 mono) and an end signal, and yields :data:`BackendEvent` values.
The relay never knows which backend it talks to (Gemini Live or the offline
interviewer), so tests run the same relay scenarios against both.

Transcript events carry *deltas*: ``text`` is appended to the speaker's open segment and
``final=True`` closes it (its ``text`` may be empty). Gemini streams fragments; the
offline interviewer sends whole sentences; the relay assembles both the same way.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum

from preppal.settings import Settings

INPUT_SAMPLE_RATE = 16_000  # what the browser sends and every backend takes


@dataclass(frozen=True, slots=True)
class InterviewBrief:
    """What an interviewer needs to know about the interview it conducts."""

    interview_id: str
    interview_type: str  # behavioural | technical | system_design | role_specific
    role: str
    difficulty: str  # warmup | standard | intense
    job_description: str = ""
    resume_text: str = ""
    candidate_name: str = ""
    max_duration_s: int = Settings.max_session_s
    language: str = "en-US"  # BCP-47 tag from preppal.languages
    patience: str = ""  # preppal.patience.Patience, "" = the difficulty's default
    hands_free: bool = True  # False: "I'll hold a key while I think" (preppal.patience)


class EndReason(StrEnum):
    """Why a session ended; maps one-to-one onto proto ``SessionEnded.Reason``."""

    USER_INITIATED = "USER_INITIATED"
    AI_ENDED = "GEMINI_ENDED"
    TIMEOUT = "TIMEOUT"


@dataclass(frozen=True, slots=True)
class Ready:
    """The upstream session is set up and listening."""

    interviewer: str  # "gemini" | "offline"
    output_sample_rate: int


@dataclass(frozen=True, slots=True)
class UserTranscript:
    text: str
    final: bool = False
    # On a final: how long the candidate spoke for this segment, when the backend measured
    # it (the offline interviewer's VAD does; 0 = unknown). A transcript that arrives only
    # after the answer would otherwise look spoken in an instant (nonsense pace metrics).
    spoken_ms: int = 0
    # On a final: how long ago (audio time) the speech it closes ended. The offline interviewer
    # transcribes after the end of the turn, so its final arrives late by the decode time
    # (seconds on a loaded machine); the relay dates the line by the speech, not the arrival,
    # so the transcript and the recording agree.
    ended_ms_ago: int = 0
    # How many characters at the end of the open line this text replaces: the offline
    # interviewer decodes an utterance again as it grows, and each decode revises the words
    # it put on the line before (0: a plain delta, appended).
    replaces: int = 0


@dataclass(frozen=True, slots=True)
class AITranscript:
    text: str
    final: bool = False


@dataclass(frozen=True, slots=True)
class AIAudio:
    pcm: bytes  # PCM16 LE mono
    sample_rate: int


@dataclass(frozen=True, slots=True)
class Interrupted:
    """Barge-in: the candidate spoke over the AI; queued AI audio must be dropped."""


@dataclass(frozen=True, slots=True)
class Retracted:
    """The interviewer misjudged the end of the candidate's turn: the candidate went on within
    moments of it starting. ``interviewer``: its line since the candidate's last one is withdrawn
    (from the live page and the stored transcript, so feedback never sees it). ``reopen_user``:
    the candidate's last line is open again, and what they say next continues it (one answer)."""

    interviewer: bool = True
    reopen_user: bool = True


@dataclass(frozen=True, slots=True)
class TurnComplete:
    """The AI finished its turn (and is now listening)."""


@dataclass(frozen=True, slots=True)
class Ended:
    reason: EndReason


@dataclass(frozen=True, slots=True)
class Failed:
    """Unrecoverable upstream failure; ``code`` is an ErrorResponse code from :mod:`preppal.codes`."""

    code: int
    message: str
    detail: str = field(default="", compare=False)  # for logs, never shown to candidates


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What another process needs to re-open this interviewer where it is now (JSON-able).

    Gemini: the latest session-resumption handle; offline: the dialogue state. The relay
    persists the latest one; a backend opened with ``resume=state`` continues from it
    instead of opening the interview again."""

    state: dict


@dataclass(frozen=True, slots=True)
class QuestionMarker:
    """The interviewer moves to a question: main question ``number`` (1-based), or a
    follow-up on it. Part of the scorecard (``preppal.rubric``): the feedback's question and
    answer split and its headings come from these, not from guessing at the transcript."""

    number: int
    competency: str  # the rubric key this question mainly tests
    followup: bool = False
    text: str = ""  # the question as asked (≤ rubric.MAX_QUESTION_CHARS)


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    """A silent note on what the candidate just said: strong or weak evidence for one rubric
    competency, with a short verbatim quote and why. Never spoken, never shown live."""

    competency: str
    strength: str  # rubric.STRONG | rubric.WEAK
    quote: str  # the candidate's words (≤ rubric.MAX_QUOTE_CHARS)
    why: str  # ≤ rubric.MAX_WHY_CHARS
    number: int = 0  # the main question it belongs to; 0 = the current one


ScorecardEvent = QuestionMarker | EvidenceNote

BackendEvent = (
    Ready
    | UserTranscript
    | AITranscript
    | AIAudio
    | Interrupted
    | Retracted
    | TurnComplete
    | Ended
    | Failed
    | Checkpoint
    | QuestionMarker
    | EvidenceNote
)


class BackendError(Exception):
    """Raised by :meth:`LiveBackend.start` when the upstream cannot be opened.

    ``keeps_pending``: the server's install is at fault, not the interview (a speech model
    missing or damaged): nothing started, so the interview stays PENDING and can be held once
    the install is repaired, instead of being marked ERROR."""

    def __init__(self, code: int, message: str, *, keeps_pending: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.keeps_pending = keeps_pending


class LiveBackend(abc.ABC):
    """One live interviewer session. Closed exactly once via :meth:`close`, whatever happened."""

    name: str = "backend"

    @abc.abstractmethod
    async def start(self) -> Ready:
        """Open the upstream session; raise :class:`BackendError` if it cannot be opened."""

    @abc.abstractmethod
    async def send_audio(self, pcm16k: bytes) -> None:
        """Take one frame of candidate audio. Hot path (~50 calls/s): no I/O waits, no logging."""

    async def send_code(self, code: str, language: str) -> None:
        """The candidate's code editor changed (whole text, at most 64 KiB, a language id
        from ``preppal.editor``). Context only: it must not end the candidate's turn and is
        never executed. Backends that cannot use it keep this no-op."""
        return None

    async def hold_floor(self, held: bool) -> None:
        """The candidate holds the floor (``True``) or hands the turn decision back (``False``).

        While held the interviewer must not take the turn, however long the silence; audio keeps
        arriving. Backends that cannot honour it keep this no-op (the relay still accepts it)."""
        return None

    @abc.abstractmethod
    async def end(self) -> None:
        """The candidate asked to end; the event stream then finishes with ``Ended``."""

    @abc.abstractmethod
    def events(self) -> AsyncIterator[BackendEvent]:
        """The backend's events, in order; the iterator stops after ``Ended`` or ``Failed``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release everything; idempotent and safe to call from ``finally``."""
