"""The player's timeline and seek targets, computed from the transcript and metrics."""

from __future__ import annotations

from preppal.models import Speaker
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.state.recording_view import build_timeline, note_seek_ms, timeline_length_ms

LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a time you improved a system?", 0, 3_000),
    TranscriptLine(2, Speaker.USER, "Um, at my previous company the billing close took five days.", 4_000, 14_000),
    TranscriptLine(3, Speaker.AI, "How did you get finance to trust it?", 15_000, 17_000),
    TranscriptLine(4, Speaker.USER, "I ran both systems in parallel for two months.", 18_000, 20_000),
]


def test_turns_are_placed_in_proportion_to_the_recording() -> None:
    drawn = build_timeline(LINES, {}, 20_000)
    assert [(s.kind, s.left, s.width, s.at_ms) for s in drawn.turns] == [
        ("ai", "0.000%", "15.000%", 0),
        ("you", "20.000%", "50.000%", 4_000),
        ("ai", "75.000%", "10.000%", 15_000),
        ("you", "90.000%", "10.000%", 18_000),
    ]
    assert drawn.turns[1].title == "You · 0:04"
    assert not drawn.has_audio_marks and drawn.pauses == [] and drawn.fillers == []


def test_pauses_and_fillers_from_the_audio_analysis() -> None:
    metrics = {
        "source": "audio",
        "timeline": {
            "pauses": [{"start_ms": 8_000, "end_ms": 10_500}],
            "fillers": [{"word": "um", "at_ms": 4_100}, {"at_ms": "broken"}],
        },
    }
    drawn = build_timeline(LINES, metrics, 20_000)
    assert [(p.left, p.width, p.at_ms, p.title) for p in drawn.pauses] == [
        ("40.000%", "12.500%", 8_000, "Pause 2.5 s at 0:08")
    ]
    assert drawn.fillers[0].left == "20.500%" and drawn.fillers[0].title == "“um” at 0:04"
    assert drawn.has_audio_marks


def test_length_falls_back_to_the_call_when_the_writer_died() -> None:
    assert timeline_length_ms(12_345, LINES, 60) == 12_345
    assert timeline_length_ms(None, LINES, None) == 20_000
    assert timeline_length_ms(None, LINES, 30) == 30_000
    assert timeline_length_ms(None, [], None) == 1


def test_question_notes_seek_to_their_question() -> None:
    assert note_seek_ms({"question": "How did you get finance to trust it?"}, LINES) == 15_000
    assert note_seek_ms({"question": "Tell me about a time you improved a…"}, LINES) == 0  # truncated quote
    by_answer = {"question": "(opening)", "answer_quote": "I ran both systems in parallel"}
    assert note_seek_ms(by_answer, LINES) == 18_000
    assert note_seek_ms({"question": "Something never asked at all"}, LINES) == -1
