"""The transcript assembler: deltas → numbered segments, finals → stored lines."""

from __future__ import annotations

from preppal.models import Speaker
from preppal.realtime.transcript import SegmentUpdate, TranscriptAssembler


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_deltas_build_one_segment_per_speaker_turn():
    clock = FakeClock()
    asm = TranscriptAssembler(clock=clock)
    asm.start_clock()
    assert asm.feed("AI", " Hello,", False) == SegmentUpdate(1, "AI", "Hello,", False)
    clock.now += 1.5
    assert asm.feed("AI", " how are you?", False) == SegmentUpdate(1, "AI", "Hello, how are you?", False)
    assert asm.feed("AI", "", True) == SegmentUpdate(1, "AI", "Hello, how are you?", True)
    assert asm.feed("USER", " Fine", False) == SegmentUpdate(2, "USER", "Fine", False)
    assert asm.feed("USER", " thanks.", True) == SegmentUpdate(2, "USER", "Fine thanks.", True)
    line = asm.lines[0]
    assert (line.sequence, line.speaker, line.text, line.start_ms, line.end_ms) == (
        1,
        Speaker.AI,
        "Hello, how are you?",
        0,
        1500,
    )
    assert [(x.sequence, x.text) for x in asm.lines] == [(1, "Hello, how are you?"), (2, "Fine thanks.")]


def test_speakers_interleave_and_ids_follow_opening_order():
    asm = TranscriptAssembler()
    assert asm.feed("USER", "So I", False).segment_id == 1
    assert asm.feed("AI", "Right", False).segment_id == 2  # overlapping speech: separate segments
    assert asm.feed("USER", " think", True) == SegmentUpdate(1, "USER", "So I think", True)
    assert asm.feed("AI", ".", True) == SegmentUpdate(2, "AI", "Right.", True)
    assert asm.feed("USER", "Next", False).segment_id == 3


def test_empty_and_whitespace_deltas_open_nothing():
    asm = TranscriptAssembler()
    assert asm.feed("AI", "", True) is None  # e.g. turnComplete with no open segment
    assert asm.feed("USER", "   ", False) is None
    assert asm.feed("USER", "", True) is None
    assert asm.lines == []
    assert asm.feed("AI", "Hi", False).segment_id == 1  # no ids were burnt


def test_close_all_finalizes_open_segments_and_snapshot_reports_them():
    asm = TranscriptAssembler()
    asm.feed("AI", "Half a sen", False)
    asm.feed("USER", "Mid answ", False)
    assert {(u.text, u.final) for u in asm.snapshot()} == {("Half a sen", False), ("Mid answ", False)}
    closed = asm.close_all()
    assert {(u.speaker, u.text, u.final) for u in closed} == {("AI", "Half a sen", True), ("USER", "Mid answ", True)}
    assert [(u.segment_id, u.final) for u in asm.snapshot()] == [(1, True), (2, True)] and len(asm.lines) == 2


def test_snapshot_is_the_whole_transcript_so_far_in_order():
    """What a page that takes the call over is sent first: finals, then the open segments."""
    asm = TranscriptAssembler()
    asm.feed("AI", "Welcome.", True)
    asm.feed("USER", "I led", False)
    asm.feed("AI", "Mm", False)
    assert [(u.segment_id, u.speaker, u.text, u.final) for u in asm.snapshot()] == [
        (1, "AI", "Welcome.", True),
        (2, "USER", "I led", False),
        (3, "AI", "Mm", False),
    ]


def test_spoken_ms_back_dates_a_segment_whose_text_came_after_the_speech():
    """The offline interviewer transcribes after the answer: all text arrives at once, but the
    candidate spoke for 4 s before it, so the line must span those 4 s (pace metrics)."""
    clock = FakeClock()
    asm = TranscriptAssembler(clock=clock)
    asm.start_clock()
    clock.now += 10.0
    asm.feed("USER", "I led a team of four engineers.", False)
    asm.feed("USER", "", True, spoken_ms=4_000)
    clock.now += 1.0
    asm.feed("USER", "Then we shipped.", False)
    asm.feed("USER", "", True, spoken_ms=60_000)  # longer than the interview so far: clamp at 0
    first, second = asm.lines
    assert (first.start_ms, first.end_ms) == (6_000, 10_000)
    assert (second.start_ms, second.end_ms) == (0, 11_000)


def test_spoken_ms_never_moves_a_start_later():
    clock = FakeClock()
    asm = TranscriptAssembler(clock=clock)
    asm.start_clock()
    asm.feed("USER", "Streaming", False)
    clock.now += 5.0
    asm.feed("USER", " text.", True, spoken_ms=1_000)
    assert (asm.lines[0].start_ms, asm.lines[0].end_ms) == (0, 5_000)


def test_ended_ms_ago_dates_a_final_that_arrived_after_the_speech():
    """A loaded machine took 6 s to transcribe a 4 s answer: the line is where the speech was
    (so clicking it in the recording plays the answer), not where the text arrived."""
    clock = FakeClock()
    asm = TranscriptAssembler(clock=clock)
    asm.start_clock()
    clock.now += 22.0
    asm.feed("USER", "I have worked as a backend engineer.", False)
    asm.feed("USER", "", True, spoken_ms=4_000, ended_ms_ago=6_000)
    clock.now += 1.0
    asm.feed("USER", "More.", False)
    asm.feed("USER", "", True, spoken_ms=500, ended_ms_ago=90_000)  # nonsense (before t=0): ignored
    first, second = asm.lines
    assert (first.start_ms, first.end_ms) == (12_000, 16_000)
    assert (second.start_ms, second.end_ms) == (22_500, 23_000)


def test_a_retraction_withdraws_the_interviewers_line_and_reopens_the_candidates():
    """The interviewer cut in; the candidate went on: one answer, no interviewer line between."""
    a = TranscriptAssembler(clock=lambda: 0.0)
    a.feed("AI", "Tell me about a project.", True)
    a.feed("USER", "We moved billing to a new cloud.", True)
    a.feed("AI", "Thanks. Next,", False)  # the reply, cut off mid-line
    removed, reopened = a.retract(interviewer=True, reopen_user=True)
    assert removed == [3] and reopened == SegmentUpdate(2, "USER", "We moved billing to a new cloud.", False)
    assert [line.sequence for line in a.lines] == [1]
    update = a.feed("USER", " It took four months.", True)
    assert update == SegmentUpdate(2, "USER", "We moved billing to a new cloud. It took four months.", True)
    assert [(line.sequence, line.speaker) for line in a.lines] == [(1, Speaker.AI), (2, Speaker.USER)]
    assert a.feed("AI", "What was the outcome?", True).segment_id == 4  # ids keep increasing


def test_a_retraction_takes_back_a_closed_reply_but_never_the_question_before_the_answer():
    a = TranscriptAssembler(clock=lambda: 0.0)
    a.feed("AI", "Tell me about a project.", True)
    assert a.retract(interviewer=True, reopen_user=True) == ([], None)  # no answer yet: nothing to take back
    a.feed("USER", "We moved billing.", True)
    a.feed("AI", "Thanks.", True)
    removed, reopened = a.retract(interviewer=True, reopen_user=False)
    assert removed == [3] and reopened is None
    assert [line.sequence for line in a.lines] == [1, 2]


def test_a_revision_replaces_the_tail_of_the_open_line_and_is_what_is_stored():
    """The offline interviewer decodes an utterance again as it grows: "in the evil woman" was
    "amiable woman" once the words before it were decoded with it."""
    asm = TranscriptAssembler()
    assert asm.feed("USER", "We moved to Kafka.", False).text == "We moved to Kafka."
    assert asm.feed("USER", " Had he married a more", False).text == "We moved to Kafka. Had he married a more"
    revised = " Had he married a more amiable woman."
    update = asm.feed("USER", revised, False, replaces=len(" Had he married a more"))
    assert update == SegmentUpdate(1, "USER", "We moved to Kafka. Had he married a more amiable woman.", False)
    assert asm.feed("USER", "", False, replaces=0) is None  # nothing changed: nothing to send
    assert asm.feed("USER", "", True).text == "We moved to Kafka. Had he married a more amiable woman."
    assert [x.text for x in asm.lines] == ["We moved to Kafka. Had he married a more amiable woman."]


def test_a_revision_never_takes_back_more_than_the_line_holds():
    asm = TranscriptAssembler()
    asm.feed("USER", "Yes", False)
    assert asm.feed("USER", "No.", False, replaces=99).text == "No."
