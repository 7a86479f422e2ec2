"""The meeting page's state: phase, live transcript, errors with a next step.

One writer per fact:
- **the call's phase** (``phase``) is the browser component's: it reports each change
  through :meth:`MeetingState.on_state_change` and nothing else writes it. The component
  also re-reports when the page's copy drifts (a state reloaded mid-call, a page reloaded
  with a phase from before), so the copy heals itself;
- **the transcript** (``turns``) reaches the page by one path: the relay pushes segments
  into this state through :mod:`preppal.state.meeting_sink` (``app.modify_state``) to the
  page that holds the call, and sends a page that takes the call over (a reload, another
  tab) everything so far. ``on_load`` only seeds it with the saved lines. Turns are keyed by
  segment id, so a partial is replaced by its final and a segment sent twice is one line;
- **the interview's facts** (role, type, language, whether it is already live: ``rejoin``)
  are ``on_load``'s, from the database;
- **the worker token** is ``request_token``'s.

Phases are the seed's (spec 003 §4) plus ``reconnecting``:
``initializing → connecting → live ⇄ reconnecting → ending``. Errors are orthogonal: a
failed microphone leaves the page in ``initializing`` (try again); a fatal call error
ends the call (``ending``) and keeps the transcript so far on screen. A page opened on an
interview that is live without it (``rejoin``) says so: "Not connected", "Rejoin".
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

import reflex as rx

from preppal import display, gemini_status, routes
from preppal.editor import default_language, has_editor
from preppal.languages import get_language
from preppal.models import InterviewStatus
from preppal.services.errors import AlreadyLive, ServiceError, TooManyRequests
from preppal.services.interviews import code_snapshots, lifecycle, transcripts, worker_tokens
from preppal.services.pools import call_service
from preppal.settings import Settings, get_settings
from preppal.state.auth import AuthState

log = logging.getLogger(__name__)

PHASES = ("initializing", "connecting", "live", "reconnecting", "ending")

# error kind → (what happened, what to do next); plain words for the candidate.
ERRORS: dict[str, tuple[str, str]] = {
    "mic_denied": (
        "Preppal can't use your microphone because permission was denied.",
        "Allow microphone access for this site (the microphone icon in the address bar), then press Start again.",
    ),
    "no_mic": (
        "No microphone was found.",
        "Connect a microphone or headset, then press Start again.",
    ),
    "mic_busy": (
        "Your microphone is in use by another application.",
        "Close the other app (video call, recorder) and press Start again.",
    ),
    "mic_failed": ("The microphone could not be started.", "Reload the page and press Start again."),
    "audio_failed": ("Audio could not be set up in this browser.", "Reload the page and try again."),
    "unsupported": (
        "This browser cannot record audio for the interview.",
        "Use a recent version of Chrome, Edge, Firefox or Safari.",
    ),
    "network": (
        "The connection was lost and could not be restored.",
        "Check your internet connection. What was said so far is saved on the feedback page.",
    ),
    "ai_unavailable": (
        "The AI interviewer is unavailable right now.",
        "Your transcript so far is saved. Please try a new interview in a few minutes.",
    ),
    "expired": ("Your interview session has expired.", "Reload this page to connect again."),
    "another_live": (
        "You already have another interview in progress.",
        "End it in its own tab first (a closed tab's interview ends by itself within a minute), then reload.",
    ),
    "already_open": (
        "This interview continues in another tab or window.",
        "Carry on there; you can close this tab. (Rejoining here would move the call back to this tab.)",
    ),
    "timeout": (
        "The connection was lost for too long, so the interview was ended.",
        "What was said so far is saved on the feedback page.",
    ),
    "ended": ("This interview has already ended.", "Open its feedback page or start a new interview."),
    "not_found": ("This interview does not exist.", "Go back to the dashboard and start a new one."),
    "internal": ("Something went wrong on our side.", "Reload the page; if it happens again, start a new interview."),
    # The message names the language (services.interviews.lifecycle.language_unavailable).
    "needs_gemini": (
        "This interview's language needs the Gemini interviewer.",
        "Set up an English interview on the dashboard, or ask whoever runs Preppal to add a Gemini API key.",
    ),
}
# Errors that leave the call usable: the candidate can press Start again.
RETRYABLE = {"mic_denied", "no_mic", "mic_busy", "mic_failed", "audio_failed", "unsupported"}


# (segment_id, speaker, text, final, reopened): one transcript segment as the relay sends it
Segment = tuple[int, str, str, bool, bool]


@dataclasses.dataclass
class Turn:
    segment_id: int
    speaker: str  # "USER" | "AI"
    text: str
    final: bool


class MeetingState(rx.State):
    call_id: str = ""  # the interview this page's call is for (fixed by on_load; the sink checks it)
    role: str = ""
    interview_type: str = ""
    interview_language: str = "en-US"  # BCP-47 tag of the spoken interview (not the code editor's)
    language_name: str = "English"
    phase: str = "initializing"  # written only by on_state_change (the browser component)
    turns: list[Turn] = []
    token: str = ""
    call_stopped: bool = False
    interviewer: str = ""
    echo_cancellation: bool = True
    error_kind: str = ""
    error_message: str = ""
    error_next_step: str = ""
    frame_ms: int = Settings.audio_frame_ms
    max_duration_s: int = Settings.max_session_s
    rejoin: bool = False  # the interview is already live (a reload or another tab dropped)
    hands_free: bool = True  # Gemini: False = "I'll hold a key while I think" (the hold marks the turn)
    editor_enabled: bool = False  # technical, system design and role-specific rounds
    editor_language: str = "python"
    editor_code: str = ""  # the last stored snapshot, given back to a reloaded page

    # ---- derived ------------------------------------------------------------------

    @rx.var
    def feedback_href(self) -> str:
        return routes.feedback_url(self.call_id) if self.call_id else routes.DASHBOARD

    @rx.var
    def interviewer_label(self) -> str:
        return display.interviewer_label(self.interviewer, long=True) if self.interviewer else ""

    @rx.var
    def start_label(self) -> str:
        return "Rejoin the interview" if self.rejoin else "Start interview"

    @rx.var
    def has_error(self) -> bool:
        return bool(self.error_kind or self.error_message)

    @rx.var
    def can_retry(self) -> bool:
        return self.error_kind in RETRYABLE

    @rx.var
    def badge(self) -> str:
        """What the phase badge shows: the phase, or "rejoin" on a page not connected to a live interview."""
        return "rejoin" if self.phase == "initializing" and self.rejoin else self.phase

    # ---- helpers ------------------------------------------------------------------

    def _set_error(self, kind: str, detail: str = "") -> None:
        message, next_step = ERRORS.get(kind, (detail or ERRORS["internal"][0], ERRORS["internal"][1]))
        self.error_kind, self.error_message, self.error_next_step = kind, message, next_step

    def _clear_error(self) -> None:
        self.error_kind = self.error_message = self.error_next_step = ""

    async def _user_id(self) -> int:
        auth = await self.get_state(AuthState)
        return await auth.current_user_id()

    async def _route_id(self) -> str:
        return (await self.get_state(AuthState)).route_interview_id()

    def merge_segments(self, segments: Iterable[Segment], *, whole: bool = False) -> None:
        """Insert or replace transcript segments ``(segment_id, speaker, text, final, reopened)``:
        idempotent, ordered by segment id; a late partial never overwrites a final unless the
        segment was reopened (the candidate's answer went on). ``whole``: the segments are the
        entire transcript so far (sent to a page that takes the call over): they replace it."""
        turns = [] if whole else list(self.turns)
        index = {turn.segment_id: i for i, turn in enumerate(turns)}
        in_order = True
        for segment_id, speaker, text, final, reopened in segments:
            if not segment_id or not text:
                continue
            turn = Turn(segment_id, speaker, text, final)
            i = index.get(segment_id)
            if i is None:
                in_order = in_order and (not turns or turns[-1].segment_id < segment_id)
                index[segment_id] = len(turns)
                turns.append(turn)
            elif final or reopened or not turns[i].final:
                turns[i] = turn
        if not in_order:
            turns.sort(key=lambda t: t.segment_id)
        self.turns = turns

    def remove_segment(self, segment_id: int) -> None:
        """A withdrawn interviewer line (it misjudged the end of the candidate's turn)."""
        self.turns = [turn for turn in self.turns if turn.segment_id != segment_id]

    # ---- events -------------------------------------------------------------------

    @rx.event
    async def on_load(self):
        """Reset for this interview; redirect when it is over or not the user's."""
        call_id = await self._route_id()
        if call_id != self.call_id:  # another interview: its transcript starts empty
            self.call_id, self.turns = call_id, []
        self.token, self.call_stopped = "", False
        self.interviewer, self.echo_cancellation = "", True
        self._clear_error()
        settings = get_settings()
        self.frame_ms, self.max_duration_s = settings.audio_frame_ms, settings.max_session_s
        user_id = await self._user_id()
        if not user_id:
            return rx.redirect(routes.sign_in_url(self.router.url.path))
        try:
            record = await call_service(transcripts.get_with_transcript, user_id, self.call_id)
        except ServiceError:
            self.call_stopped = True
            self._set_error("not_found")
            return None
        interview = record.interview
        if interview.status in (InterviewStatus.COMPLETED, InterviewStatus.ERROR):
            return rx.redirect(routes.feedback_url(self.call_id))
        self.role, self.interview_type = interview.role, display.type_label(interview.interview_type)
        self.rejoin = interview.status == InterviewStatus.IN_PROGRESS
        self.interview_language, self.language_name = interview.language, get_language(interview.language).name
        refusal = lifecycle.language_unavailable(interview.language)
        if refusal and not self.rejoin:  # a language this server cannot hold: say so before the mic is asked for
            self.call_stopped = True
            self._set_error("needs_gemini")
            self.error_message = refusal
        self.hands_free = interview.hands_free is not False
        self.editor_enabled = has_editor(interview.interview_type)
        self.editor_language, self.editor_code = default_language(interview.interview_type), ""
        if self.editor_enabled and self.rejoin:
            last = await call_service(code_snapshots.final_snapshot, self.call_id)
            if last is not None:
                self.editor_language, self.editor_code = last.language, last.code
        self.interviewer = interview.interviewer or gemini_status.interviewer_in_use()
        # Saved final lines (a reload during a live interview) are shown again; the relay sends
        # the rest (open lines, the newest finals) once this page rejoins.
        self.merge_segments([(line.sequence, line.speaker.value, line.text, True, False) for line in record.transcript])
        return None

    @rx.event
    async def request_token(self, resume: bool = False):
        """Mint a worker token for the component (first connect or a reconnect attempt).

        The interview's status, not the caller, decides the kind: once the relay has moved
        it to IN_PROGRESS only a resume token can rejoin it.
        """
        user_id = await self._user_id()
        if not user_id:
            self.call_stopped = True
            self._set_error("expired")
            return
        try:
            self.token = await call_service(
                worker_tokens.generate_worker_token,
                user_id,
                self.call_id,
                self.router.session.client_token,
                resume=None,
                retry=resume,  # the component reconnecting by itself: never takes the call from another tab
            )
        except ServiceError as exc:
            log.info("no worker token for %s: %s", self.call_id, exc.message)
            self.call_stopped = True
            if isinstance(exc, AlreadyLive):
                self._set_error("another_live")
            elif isinstance(exc, TooManyRequests):
                self.error_kind, self.error_message = "busy", exc.message
                self.error_next_step = "Wait a little, then reload this page."
            else:
                ended = isinstance(exc, worker_tokens.MintRefused) and exc.ended
                self._set_error("ended" if ended else "internal", exc.message)

    @rx.event
    def on_state_change(self, info: dict[str, Any]):
        """A phase change reported by the browser component (the phase's only writer)."""
        phase = str(info.get("phase") or "")
        if phase in PHASES:
            self.phase = phase
        if info.get("interviewer"):
            self.interviewer = str(info["interviewer"])
        if info.get("maxDurationS"):
            self.max_duration_s = int(info["maxDurationS"])
        if "echoCancellation" in info:
            self.echo_cancellation = bool(info["echoCancellation"])
        error = str(info.get("error") or "")
        if error:
            self._set_error(error, str(info.get("message") or ""))
        elif phase in ("connecting", "live"):
            self._clear_error()
        if info.get("ended") and not error:
            return rx.redirect(routes.feedback_url(self.call_id))
        return None
