"""The relay's state sink: live transcript and status pushed into the meeting page.

The relay (preppal/realtime) knows nothing about Reflex; the app module registers
``hub.set_sink(ReflexMeetingSink(app))`` (preppal.py). Each push opens the page's state with
``app.modify_state`` and writes to the MeetingState *substate* fetched with
``get_state`` — writing to the root state object is silently dropped. The block is
kept short: it holds the page's state lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import reflex as rx

from preppal.state.meeting import MeetingState

if TYPE_CHECKING:  # the relay's type only; at runtime any object with its fields will do
    from preppal.realtime.sink import TranscriptPush

# relay phase → meeting phase ("error" ends the call; the message says why)
_PHASES = {"live": "live", "reconnecting": "reconnecting", "ended": "ending", "error": "ending"}


def apply_push(state: MeetingState, interview_id: str, update: TranscriptPush) -> bool:
    """Apply one relay update to a page's MeetingState; False if the page shows another interview."""
    if state.call_id != interview_id:
        return False  # the tab navigated away; never write one interview into another
    if update.segment_id and getattr(update, "removed", False):
        state.remove_segment(update.segment_id)
    elif update.segment_id:
        reopened = getattr(update, "reopened", False)
        state.apply_segment(update.segment_id, update.speaker, update.text, update.final, reopened=reopened)
    if update.phase in _PHASES:
        state.phase = _PHASES[update.phase]
    if update.phase == "error" and not state.error_kind:
        state.error_kind = "relay"
        state.error_message = update.message or "The interview stopped because of an error."
        state.error_next_step = "What was said so far is saved on the feedback page."
    return True


class ReflexMeetingSink:
    """``StateSink`` implementation on top of ``app.modify_state``."""

    def __init__(self, app: rx.App) -> None:
        self._app = app

    async def push(self, client_token: str, interview_id: str, update: TranscriptPush) -> None:
        if not client_token:
            return
        token = rx.BaseStateToken(ident=client_token, cls=MeetingState)
        async with self._app.modify_state(token) as root:
            state = await root.get_state(MeetingState)
            apply_push(state, interview_id, update)
