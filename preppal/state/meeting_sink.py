"""The relay's state sink: the live transcript pushed into the meeting page.

The relay (preppal/realtime) knows nothing about Reflex; the app module registers
``hub.set_sink(ReflexMeetingSink(app))`` (preppal.py). Each push opens the page's state with
``app.modify_state`` and writes to the MeetingState *substate* fetched with
``get_state`` — writing to the root state object is silently dropped. The block is
kept short: it holds the page's state lock (one lock per batch of segments).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import reflex as rx

from preppal.state.meeting import MeetingState, Segment

if TYPE_CHECKING:  # the relay's type only; at runtime any object with its fields will do
    from preppal.realtime.sink import Push, TranscriptPush


def _segment(u: TranscriptPush) -> Segment:
    return (u.segment_id, u.speaker, u.text, u.final, u.reopened)


def apply_push(state: MeetingState, interview_id: str, updates: Sequence[Push]) -> bool:
    """Apply a batch of relay updates to a page's MeetingState, in order (one state lock);
    False if the page shows another interview."""
    if state.call_id != interview_id:
        return False  # the tab navigated away; never write one interview into another
    pending: list[Segment] = []
    for update in updates:
        if hasattr(update, "segments"):  # a TranscriptSnapshot: everything so far replaces the page's lines
            state.merge_segments([_segment(u) for u in update.segments if not u.removed], whole=True)
        elif update.removed:
            state.merge_segments(pending)
            pending = []
            state.remove_segment(update.segment_id)
        else:
            pending.append(_segment(update))
    state.merge_segments(pending)
    return True


class ReflexMeetingSink:
    """``StateSink`` implementation on top of ``app.modify_state``."""

    def __init__(self, app: rx.App) -> None:
        self._app = app

    async def push(self, client_token: str, interview_id: str, updates: Sequence[Push]) -> None:
        if not client_token:
            return
        token = rx.BaseStateToken(ident=client_token, cls=MeetingState)
        async with self._app.modify_state(token) as root:
            state = await root.get_state(MeetingState)
            apply_push(state, interview_id, updates)
