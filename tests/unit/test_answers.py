"""Question/answer segmentation (services/analysis/answers.py): from the interviewer's markers, or
from the turns for older interviews; requests to repeat or skip are never answers."""

from __future__ import annotations

from preppal.services.analysis.answers import from_turns, question_of, segment
from preppal.services.analysis.transcript_metrics import Segment
from preppal.services.interviews.scorecard_entries import QUESTION, Entry

GREETING = "Hi Sam, thanks for joining. I'm your Preppal interviewer, and this is a behavioural interview. "
LINES = [
    Segment("AI", GREETING + "Let's begin. Tell me about a deadline you nearly missed?", 0, 6_000, 1),
    Segment("USER", "Can you repeat the question?", 6_500, 7_500, 2),
    Segment("AI", "Of course. Tell me about a deadline you nearly missed?", 8_000, 10_000, 3),
    Segment("USER", "Last spring our release slipped and I split the work so we shipped on time.", 11_000, 20_000, 4),
    Segment("AI", "What was the outcome?", 21_000, 22_000, 5),
    Segment("USER", "Tickets fell by a third.", 23_000, 25_000, 6),
    Segment("AI", "Thanks. Describe a time you disagreed with a colleague?", 26_000, 29_000, 7),
    Segment("USER", "Can we skip this one?", 30_000, 31_000, 8),
    Segment("AI", "That's okay. How do you keep learning?", 32_000, 34_000, 9),
    Segment("USER", "I read papers and I build small things every weekend.", 35_000, 40_000, 10),
]
MARKS = [
    Entry(QUESTION, 50, 1, "situation_task", text="Tell me about a deadline you nearly missed?"),
    Entry(QUESTION, 20_900, 1, "result_measurement", followup=True, text="What was the outcome?"),
    Entry(QUESTION, 25_900, 2, "action_ownership", text="Describe a time you disagreed with a colleague?"),
    Entry(QUESTION, 31_900, 3, "reflection", text="How do you keep learning?"),
]


def test_markers_decide_the_split_and_requests_are_not_answers() -> None:
    spans = segment(LINES, MARKS)
    assert [(s.number, s.text, s.answered) for s in spans] == [
        (1, "Tell me about a deadline you nearly missed?", True),
        (2, "Describe a time you disagreed with a colleague?", False),  # skipped: a request, not an answer
        (3, "How do you keep learning?", True),
    ]
    first = spans[0]
    assert first.sequences == [4, 6] and first.requests == [2]  # the follow-up's answer belongs to question 1
    assert first.answer_ms == 11_000 and [f.text for f in first.followups] == ["What was the outcome?"]
    assert spans[1].requests == [8] and spans[1].sequences == []
    assert first.end_ms == 25_900 and spans[-1].end_ms == 40_000


def test_without_markers_the_turns_decide_and_a_repeat_request_keeps_the_question() -> None:
    spans = from_turns(LINES)
    # The greeting is not the heading; "repeat" is not an answer and the re-ask is the same question;
    # without markers a follow-up is a question of its own, and the skipped one stays unanswered.
    assert [(s.text, s.answered) for s in spans] == [
        ("Tell me about a deadline you nearly missed?", True),
        ("What was the outcome?", True),
        ("Describe a time you disagreed with a colleague?", False),
        ("How do you keep learning?", True),
    ]
    assert spans[0].requests == [2] and spans[0].sequences == [4]


def test_a_follow_up_for_an_unknown_question_joins_the_question_open_at_its_time() -> None:
    odd = [*MARKS, Entry(QUESTION, 36_000, 9, "reflection", followup=True, text="Which paper?")]
    spans = segment(LINES, odd)
    assert [f.text for f in spans[-1].followups] == ["Which paper?"]


def test_a_marker_without_text_takes_the_question_from_the_interviewers_turn() -> None:
    spans = segment(LINES, [Entry(QUESTION, 50, 1, "situation_task")])
    assert spans[0].text == "Tell me about a deadline you nearly missed?"


def test_question_of_leaves_the_greeting_and_lead_in_out() -> None:
    assert question_of(GREETING + "Let's begin. To start, could you tell me about yourself?") == (
        "To start, could you tell me about yourself?"
    )
    assert question_of("Thanks. Let's write some code. In the editor, please write a function.") == (
        "In the editor, please write a function."
    )


def test_an_answer_that_starts_the_moment_the_next_question_is_marked_is_the_earlier_questions() -> None:
    """Fast streams date lines and markers to the same millisecond; the candidate cannot have
    answered a question in the instant it was marked (seen in bench/scorecard.py)."""
    lines = [
        Segment("AI", "Tell me about a deadline?", 0, 1_000, 1),
        Segment("USER", "We shipped it on time in the end.", 1_018, 1_019, 2),
        Segment("AI", "Describe a disagreement?", 1_019, 1_019, 3),
    ]
    marks = [
        Entry(QUESTION, 0, 1, "situation_task", text="Tell me about a deadline?"),
        Entry(QUESTION, 1_018, 2, "action_ownership", text="Describe a disagreement?"),
    ]
    spans = segment(lines, marks)
    assert [s.sequences for s in spans] == [[2], []]
