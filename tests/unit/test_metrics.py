"""Delivery metrics on hand-checked transcripts (every expected number worked out by hand)."""

from __future__ import annotations

import pytest

from preppal.services.analysis.transcript_metrics import Segment, compute_metrics, find_fillers, tokenize, word_count


def ai(text: str, start: int, end: int, seq: int = 0) -> Segment:
    return Segment("AI", text, start, end, seq)


def me(text: str, start: int, end: int, seq: int = 0) -> Segment:
    return Segment("USER", text, start, end, seq)


# Q1 (0–4 s), answer of two segments: 11 words 5–9 s, pause 1 s, 10 words 10–15 s.
# Q2 (16–18 s), answer of 12 words 20–26 s (2 s to start answering).
HAND = [
    ai("Tell me about a project you are proud of?", 0, 4_000, 1),
    me("Um, I led the migration of our billing system last year.", 5_000, 9_000, 2),
    me("We cut the monthly close from five days to one.", 10_000, 15_000, 3),
    ai("What was the hardest part?", 16_000, 18_000, 4),
    me("So the hardest part was, like, convincing finance to trust the numbers.", 20_000, 26_000, 5),
]


def test_word_count_and_tokens() -> None:
    assert word_count("Um, I led the migration of our billing system last year.") == 11
    assert word_count("We cut the monthly close from five days to one.") == 10
    assert tokenize("It’s fine, really.") == ["it's", "fine", ",", "really", "."]
    assert word_count("") == 0


def test_hand_checked_interview() -> None:
    m = compute_metrics(HAND)
    assert m.questions_asked == 2
    assert m.questions_answered == 2
    assert m.answers == 2
    first, second = m.answer_list
    # answer 1: 21 words over 5.0→15.0 s = 10 s → 126 wpm; one filler (um) → 6.0/min
    assert first.words == 21
    assert first.duration_s == 10.0
    assert first.wpm == 126.0
    assert first.filler_words == {"um": 1}
    assert first.fillers_per_min == 6.0
    assert first.longest_pause_ms == 1_000
    assert first.response_delay_ms == 1_000
    assert first.sequences == [2, 3]
    assert first.question == "Tell me about a project you are proud of?"
    # answer 2: 12 words in 6 s → 120 wpm; "So" (sentence start) + ", like," → 2 fillers → 20/min
    assert second.words == 12
    assert second.wpm == 120.0
    assert second.filler_words == {"so": 1, "like": 1}
    assert second.fillers_per_min == 20.0
    assert second.longest_pause_ms == 0
    assert second.response_delay_ms == 2_000
    # interview: 33 words in 16 s → 123.8 wpm; 3 fillers in 16 s → 11.25 → 11.2/min
    assert m.candidate_words == 33
    assert m.wpm == 123.8
    assert m.fillers == 3
    assert m.fillers_per_min == pytest.approx(11.2, abs=0.05)
    # talk: candidate 4+5+6 = 15 s, interviewer 4+2 = 6 s → ratio 2.5, share 15/21
    assert m.candidate_talk_s == 15.0
    assert m.interviewer_talk_s == 6.0
    assert m.talk_ratio == 2.5
    assert m.candidate_share == pytest.approx(15 / 21, abs=0.001)
    assert m.longest_pause_ms == 1_000
    assert m.avg_answer_words == 16.5
    assert m.avg_answer_s == 8.0
    assert m.to_dict()["answers_detail"][1]["wpm"] == 120.0


def test_short_reply_is_not_an_answered_question() -> None:
    m = compute_metrics([ai("Ready to start?", 0, 1_000), me("Yes.", 1_500, 2_000), ai("Great.", 2_500, 3_000)])
    assert m.answers == 1
    assert m.questions_answered == 0
    assert m.questions_asked == 2


def test_missing_timing_gives_no_rates_but_counts() -> None:
    m = compute_metrics([ai("Why this role?", 0, 0), me("Basically I, um, love it.", 0, 0)])
    assert m.candidate_words == 5
    assert m.fillers == 2
    assert m.wpm is None and m.fillers_per_min is None and m.talk_ratio is None
    assert m.answer_list[0].response_delay_ms is None


def test_empty_transcript() -> None:
    m = compute_metrics([])
    assert (m.answers, m.questions_asked, m.candidate_words, m.fillers) == (0, 0, 0, 0)
    assert m.wpm is None and m.avg_answer_words is None and m.longest_pause_ms == 0


def test_overlapping_segments_do_not_make_negative_pauses() -> None:
    m = compute_metrics([me("one two three", 0, 3_000), me("four five", 2_500, 4_000), me("six", 7_000, 8_000)])
    assert m.answer_list[0].longest_pause_ms == 3_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I like working with people.", {}),
        ("I would like to lead a team.", {}),
        ("It looks like a cache problem.", {}),
        ("It was, like, really slow.", {"like": 1}),
        ("Like, we had no tests at all.", {"like": 1}),
        ("You know, it was hard.", {"you know": 1}),
        ("Do you know what a mutex is?", {}),
        ("I'm not sure you know how it works.", {}),
        ("As you know, we ship weekly.", {}),
        ("So we rewrote it.", {"so": 1}),
        ("We added a queue so that retries were safe.", {}),
        ("It went well, so far.", {}),
        ("We were late, so I escalated.", {}),
        ("Um, so, we began.", {"um": 1, "so": 1}),
        ("It was so hard.", {}),
        ("Um, uh, erm, basically, I actually did it.", {"um": 2, "uh": 1, "basically": 1, "actually": 1}),
        ("I think so.", {}),
    ],
)
def test_filler_context_rules(text: str, expected: dict[str, int]) -> None:
    assert dict(find_fillers(text)) == expected


def test_speaker_enum_and_blank_segments() -> None:
    from preppal.models import Speaker, TranscriptEntry

    rows = [
        TranscriptEntry(interview_id="x", sequence=1, speaker=Speaker.AI, text="Hi?", start_ms=0, end_ms=1_000),
        TranscriptEntry(interview_id="x", sequence=2, speaker=Speaker.USER, text="  ", start_ms=1_000, end_ms=1_500),
        TranscriptEntry(
            interview_id="x", sequence=3, speaker=Speaker.USER, text="Hello there friend", start_ms=2_000, end_ms=3_000
        ),
    ]
    m = compute_metrics(rows)
    assert m.answers == 1 and m.answer_list[0].sequences == [3]
    assert m.answer_list[0].wpm == 180.0


def test_timing_that_misses_the_speech_is_unknown_not_fast() -> None:
    """20 words "spoken" in 6 ms (text that arrived after the answer) is not 200,000 wpm."""
    m = compute_metrics([ai("Tell me about yourself.", 0, 3_000), me(" ".join(["word"] * 20), 21_000, 21_006)])
    assert m.answer_list[0].wpm is None and m.answer_list[0].duration_s is None
    assert m.wpm is None
    assert m.candidate_words == 20
