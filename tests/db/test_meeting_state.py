"""MeetingState bookkeeping: transcript segments from the relay sink, phases and errors
reported by the browser component, the phase's only writer (the Reflex wiring itself is
covered end to end in tests/e2e/test_meeting_*.py)."""

from __future__ import annotations

import pytest
import reflex as rx

from preppal.realtime.sink import TranscriptPush, TranscriptSnapshot
from preppal.state.meeting import MeetingState
from preppal.state.meeting_sink import apply_push


@pytest.fixture
def state() -> MeetingState:
    root = rx.State(_reflex_internal_init=True)
    meeting = root.get_substate(MeetingState.get_full_name().split(".")[1:])
    meeting.call_id = "iv-1"
    return meeting


def lines(state: MeetingState) -> list[tuple[int, str, str, bool]]:
    return [(t.segment_id, t.speaker, t.text, t.final) for t in state.turns]


def push(state: MeetingState, interview_id: str, *updates: TranscriptPush) -> bool:
    return apply_push(state, interview_id, list(updates))


def test_partial_text_is_replaced_by_the_final(state: MeetingState) -> None:
    push(state, "iv-1", TranscriptPush(1, "AI", "Hello"))
    push(state, "iv-1", TranscriptPush(1, "AI", "Hello, tell me"), TranscriptPush(2, "USER", "I"))
    push(state, "iv-1", TranscriptPush(1, "AI", "Hello, tell me about you.", final=True))
    assert lines(state) == [(1, "AI", "Hello, tell me about you.", True), (2, "USER", "I", False)]


def test_resent_segments_after_a_reconnect_do_not_duplicate(state: MeetingState) -> None:
    for _ in range(2):  # the relay sends a page that rejoins the whole transcript so far
        push(state, "iv-1", TranscriptPush(1, "AI", "Welcome.", final=True), TranscriptPush(2, "USER", "Thanks for"))
    push(state, "iv-1", TranscriptPush(1, "AI", "Welc"))  # a late partial never wins
    assert lines(state) == [(1, "AI", "Welcome.", True), (2, "USER", "Thanks for", False)]


def test_a_withdrawn_interviewer_line_goes_and_the_answer_goes_on_in_its_line(state: MeetingState) -> None:
    push(state, "iv-1", TranscriptPush(1, "AI", "Tell me about a project.", final=True))
    push(state, "iv-1", TranscriptPush(2, "USER", "We moved billing.", final=True))
    push(state, "iv-1", TranscriptPush(3, "AI", "Thanks. Next"))
    push(state, "iv-1", TranscriptPush(3, "AI", removed=True))
    push(state, "iv-1", TranscriptPush(2, "USER", "We moved billing.", reopened=True))
    push(state, "iv-1", TranscriptPush(2, "USER", "We moved billing. It took months."))
    assert lines(state) == [
        (1, "AI", "Tell me about a project.", True),
        (2, "USER", "We moved billing. It took months.", False),
    ]


def test_out_of_order_segments_are_shown_in_order(state: MeetingState) -> None:
    push(state, "iv-1", TranscriptPush(3, "AI", "third", final=True))
    push(state, "iv-1", TranscriptPush(1, "AI", "first", final=True), TranscriptPush(2, "USER", "second", final=True))
    assert [t.segment_id for t in state.turns] == [1, 2, 3]


def test_the_saved_lines_and_the_relays_snapshot_merge_into_one_transcript(state: MeetingState) -> None:
    """A reloaded page is seeded from the database, then the relay sends everything so far."""
    state.merge_segments([(1, "AI", "Welcome.", True, False), (2, "USER", "I led", False, False)])
    push(
        state,
        "iv-1",
        TranscriptPush(1, "AI", "Welcome.", final=True),
        TranscriptPush(2, "USER", "I led the migration.", final=True),
        TranscriptPush(3, "AI", "How long", final=False),
    )
    assert lines(state) == [
        (1, "AI", "Welcome.", True),
        (2, "USER", "I led the migration.", True),
        (3, "AI", "How long", False),
    ]


def test_a_page_that_takes_the_call_over_gets_the_whole_transcript_in_place_of_its_own(
    state: MeetingState,
) -> None:
    """The snapshot replaces what the page read earlier: a line withdrawn since then goes."""
    state.merge_segments([(1, "AI", "Welcome.", True, False), (2, "AI", "Next question", True, False)])
    snapshot = TranscriptSnapshot((TranscriptPush(1, "AI", "Welcome.", final=True), TranscriptPush(3, "USER", "I led")))
    push(state, "iv-1", snapshot, TranscriptPush(3, "USER", "I led the team."))
    assert lines(state) == [(1, "AI", "Welcome.", True), (3, "USER", "I led the team.", False)]


def test_updates_for_another_interview_are_ignored(state: MeetingState) -> None:
    assert push(state, "iv-2", TranscriptPush(1, "AI", "not yours", final=True)) is False
    assert state.turns == [] and state.phase == "initializing"


def test_a_page_not_connected_to_its_live_interview_says_so(state: MeetingState) -> None:
    state.rejoin = True  # on_load found the interview IN_PROGRESS (a reload, another tab)
    assert (state.badge, state.start_label) == ("rejoin", "Rejoin the interview")
    MeetingState.on_state_change.fn(state, {"phase": "live"})
    assert state.badge == "live"
    state.rejoin = False
    MeetingState.on_state_change.fn(state, {"phase": "initializing"})
    assert state.badge == "initializing"


def test_component_reports_mic_denied_as_retryable(state: MeetingState) -> None:
    MeetingState.on_state_change.fn(state, {"phase": "initializing", "error": "mic_denied"})
    assert state.phase == "initializing"
    assert "permission was denied" in state.error_message
    assert state.error_next_step.startswith("Allow microphone access")
    assert state.can_retry
    MeetingState.on_state_change.fn(state, {"phase": "connecting", "echoCancellation": False})
    assert (state.error_kind, state.echo_cancellation) == ("", False)


def test_component_fatal_error_and_session_end(state: MeetingState) -> None:
    MeetingState.on_state_change.fn(state, {"phase": "live", "interviewer": "gemini", "maxDurationS": 1800})
    assert (state.phase, state.interviewer_label, state.max_duration_s) == ("live", "Gemini Live interviewer", 1800)
    assert MeetingState.on_state_change.fn(state, {"phase": "ending", "error": "ai_unavailable"}) is None
    assert state.error_message == "The AI interviewer is unavailable right now." and not state.can_retry


def test_session_end_redirects_to_feedback(state: MeetingState) -> None:
    event = MeetingState.on_state_change.fn(state, {"phase": "ending", "ended": True, "reason": "GEMINI_ENDED"})
    assert event is not None and "/interview/iv-1/feedback" in str(event)


def test_every_fatal_code_has_a_plain_message_on_the_call_page() -> None:
    from preppal import codes
    from preppal.state.meeting import ERRORS

    assert set(codes.FATAL_ERROR_KINDS.values()) <= set(ERRORS)
    assert all(code in codes.MESSAGES for code in codes.FATAL_ERROR_KINDS)


async def test_a_second_live_interview_gets_a_plain_message(db, monkeypatch) -> None:
    """Issue 9: one live interview per user; the second page says so instead of 'went wrong'."""
    from preppal.models import InterviewStatus
    from preppal.services.interviews import lifecycle
    from tests.support.users import make_user

    user = make_user().id
    first = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    second = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    lifecycle.update_status(first.id, InterviewStatus.IN_PROGRESS)
    root = rx.State(_reflex_internal_init=True)
    meeting = root.get_substate(MeetingState.get_full_name().split(".")[1:])
    meeting.call_id = second.id

    async def signed_in(self) -> int:
        return user

    monkeypatch.setattr(MeetingState, "_user_id", signed_in)
    await MeetingState.request_token.fn(meeting)
    assert meeting.error_kind == "another_live" and meeting.token == ""
    assert meeting.error_message == "You already have another interview in progress."
