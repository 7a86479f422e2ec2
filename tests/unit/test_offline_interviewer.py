"""The offline interviewer's rules, on text alone (no audio, no models)."""

from __future__ import annotations

import json

import pytest

from preppal.live.base import InterviewBrief
from preppal.live.offline.interviewer import Interviewer
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.questions import DIFFICULTIES, TYPES, pick_questions

PACK = load_pack("en-US")

GOOD_STORY = (
    "At my last company we had a checkout service that kept timing out during sales. I was responsible for it, "
    "so I profiled the database queries, added an index and a cache, and as a result the error rate fell "
    "from 4 percent to 0.1 percent and revenue during the next sale grew by 12 percent."
)
NO_RESULT_STORY = (
    "At my last company we had a checkout service that kept timing out during big sales. I was responsible "
    "for the service, so I profiled the database queries, added an index and a cache in front of the catalog."
)
NO_NUMBERS_STORY = (
    "At my last company we had a checkout service that kept timing out during sales. I was responsible for it, "
    "so I profiled the queries and added an index, and as a result the errors went away and customers were happy."
)
OFF_TOPIC = "Honestly I would rather chat about football. My favourite club won the cup on Sunday in lovely sunshine."


def brief(kind: str = "behavioural", difficulty: str = "standard", **extra: str) -> InterviewBrief:
    return InterviewBrief("iv-1", kind, extra.pop("role", "Backend Engineer"), difficulty, **extra)


def advance_to_story_question(iv: Interviewer) -> None:
    """Answer until the interviewer asks a STAR question (follow-ups on the opener included)."""
    iv.opening()
    for _ in range(6):
        reply = iv.respond(GOOD_STORY)
        if reply.rule == "next" and iv.question is not None and iv.question.kind == "star":
            return
    raise AssertionError("never reached a STAR question")


def test_opening_greets_names_the_role_and_asks_the_first_question() -> None:
    iv = Interviewer(brief(candidate_name="Ada Lovelace"))
    reply = iv.opening()
    assert reply.rule == "opening" and not reply.ended
    assert "Hi Ada" in reply.text and "Backend Engineer" in reply.text
    assert iv.questions[0].text.split("{")[0][:20] in reply.text
    assert len(reply.sentences) >= 3


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        ("I fixed it.", "example"),
        (NO_RESULT_STORY, "outcome"),
        (NO_NUMBERS_STORY, "quantify"),
        (OFF_TOPIC, "steer"),
    ],
)
def test_each_follow_up_rule_fires_on_its_answer(answer: str, rule: str) -> None:
    iv = Interviewer(brief())
    advance_to_story_question(iv)
    question = iv.question
    reply = iv.respond(answer)
    assert reply.rule == rule
    if rule == "steer":
        assert question is not None and question.text in reply.text  # the question is asked again


def test_a_complete_story_gets_no_follow_up_asking_for_what_it_gave() -> None:
    iv = Interviewer(brief())
    advance_to_story_question(iv)
    reply = iv.respond(GOOD_STORY)
    assert reply.rule not in ("example", "outcome", "quantify", "own_role")


def test_follow_ups_are_capped_per_question_then_it_moves_on() -> None:
    iv = Interviewer(brief(difficulty="warmup"))  # one follow-up per question
    advance_to_story_question(iv)
    asked = iv.questions_asked
    assert iv.respond(NO_RESULT_STORY).rule == "outcome"
    reply = iv.respond("It was fine.")  # still no number, but the budget is spent
    assert reply.rule in ("next", "close") and iv.questions_asked == asked + 1
    standard = Interviewer(brief(difficulty="standard"))  # two per question
    advance_to_story_question(standard)
    assert standard.respond(NO_RESULT_STORY).rule == "outcome"
    assert standard.respond("It went fine in the end.").rule == "quantify"
    assert standard.respond("It was fine.").rule == "next"


def test_intense_allows_a_second_follow_up_on_the_combined_answer() -> None:
    iv = Interviewer(brief(difficulty="intense"))
    advance_to_story_question(iv)
    assert iv.respond(NO_RESULT_STORY).rule == "outcome"
    # The outcome now exists, but still no numbers: the second follow-up asks to quantify.
    assert iv.respond("In the end it worked and the team was happy with the result.").rule == "quantify"
    assert iv.respond("Latency went from 900 to 200 milliseconds.").rule not in ("outcome", "quantify")


def test_design_questions_ask_for_scale_numbers() -> None:
    iv = Interviewer(brief(kind="system_design"))
    iv.opening()
    while iv.question is not None and iv.question.kind != "design":
        iv.respond(GOOD_STORY)
    assert iv.question is not None and iv.question.kind == "design"
    reply = iv.respond(
        "I would put a load balancer in front of stateless API servers, keep the data in a replicated database, "
        "cache hot keys, and use a queue for the slow background work."
    )
    assert reply.rule == "quantify" and "requests per second" in reply.text


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_interview_closes_after_the_set_number_of_questions(difficulty: str) -> None:
    count = PACK.pacing["questions_per_interview"][difficulty]
    budget = PACK.pacing["followups_per_question"][difficulty]
    iv = Interviewer(brief(difficulty=difficulty))
    iv.opening()
    replies = []
    for _ in range(count * (budget + 1)):
        replies.append(iv.respond(GOOD_STORY))
        if replies[-1].ended:
            break
    assert replies[-1].rule == "close" and iv.finished and not any(r.ended for r in replies[:-1])
    assert iv.questions_asked == count + 1  # the index ran past the last question
    assert sum(r.rule in ("next", "close") for r in replies) == count


def test_questions_follow_the_job_description_and_resume() -> None:
    data = brief(
        kind="technical",
        role="Machine Learning Engineer",
        job_description="You will train models and monitor machine learning systems in production.",
        resume_text="Built PyTorch models; pandas; deployed ML services on Kubernetes.",
    )
    questions, skill = pick_questions(data, PACK, "seed")
    texts = " ".join(q.text for q in questions).lower()
    assert skill in {"PyTorch", "pandas", "Kubernetes", "machine learning"}
    assert "machine learning" in texts or "model" in texts
    frontend = pick_questions(
        brief(kind="technical", role="Frontend Developer", resume_text="React, TypeScript"), PACK, "seed"
    )
    assert any("page" in q.text or "browser" in q.text for q in frontend[0])


def test_skill_questions_are_filled_or_skipped() -> None:
    iv = Interviewer(brief(kind="technical", resume_text="Five years of Kubernetes and Terraform at scale."))
    assert iv.skill == "Kubernetes"
    without = Interviewer(brief(kind="technical", resume_text=""))
    assert all(not q.needs for q in without.questions)


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_bank_cell_has_an_opener_and_enough_questions(kind: str, difficulty: str) -> None:
    cell = PACK.questions[kind][difficulty]
    assert sum(1 for q in cell if q.get("opener")) == 1
    assert len([q for q in cell if not q.get("needs")]) >= PACK.pacing["questions_per_interview"][difficulty]


def test_silence_prompts_escalate_then_move_on() -> None:
    iv = Interviewer(brief())
    iv.opening()
    first = iv.question
    assert first is not None
    one, two, three = iv.silence_prompt(), iv.silence_prompt(), iv.silence_prompt()
    assert one.rule == two.rule == "silence"
    assert first.text.split("{")[0][:25] in two.text  # the question is repeated
    assert iv.question is not first and iv.questions_asked == 2 and not three.ended


def test_speech_without_words_is_asked_again_then_the_microphone_is_named() -> None:
    iv = Interviewer(brief())
    iv.opening()
    first = iv.question
    one, two, three = iv.not_caught(), iv.not_caught(), iv.not_caught()
    assert (one.text, two.text, three.text) == (*PACK.phrases["not_caught"], PACK.phrases["not_caught"][1])
    assert {one.rule, two.rule} == {"not_caught"} and not one.followup and not one.ended
    assert iv.question is first and iv.questions_asked == 1  # the question stands: nothing was answered
    restored = Interviewer.restore(brief(), json.loads(json.dumps(iv.snapshot())))
    assert restored.not_caught().text == PACK.phrases["not_caught"][1]  # still in a row after a hand-over
    iv.respond(GOOD_STORY)  # words came: the next miss is the first again
    assert iv.not_caught().text == PACK.phrases["not_caught"][0]


def test_timeout_closes() -> None:
    iv = Interviewer(brief())
    iv.opening()
    reply = iv.timeout()
    assert reply.ended and reply.rule == "timeout" and iv.finished


def test_text_helpers() -> None:
    lexicon = PACK.lexicon
    assert lexicon.has_numbers("about 40 percent") and lexicon.has_numbers("twice as fast")
    assert not lexicon.has_numbers("much faster")
    assert lexicon.content_words("The teams were building services") == ["team", "build", "servic"]


def test_candidate_can_ask_to_repeat_or_skip() -> None:
    iv = Interviewer(brief())
    iv.opening()
    first = iv.question
    assert first is not None
    reply = iv.respond("Sorry, could you repeat the question?")
    assert reply.rule == "repeat" and first.text.split("{")[0][:25] in reply.text and iv.question is first
    reply = iv.respond("I don't know, can we skip this one?")
    assert reply.rule == "next" and iv.question is not first and reply.text.startswith("That's okay")
    intense = Interviewer(brief(difficulty="intense"))
    intense.opening()
    assert "great" not in intense.respond("No idea, next question please.").text.lower()


def test_dialogue_state_survives_a_hand_over_to_another_process() -> None:
    """snapshot() → JSON → restore(): same plan, position and follow-ups; the next reply follows on."""
    import json

    iv = Interviewer(brief(job_description="Payments in Python", difficulty="warmup"))
    advance_to_story_question(iv)
    assert iv.respond(NO_RESULT_STORY).rule == "outcome"  # the one follow-up of a warm-up question
    state = json.loads(json.dumps(iv.snapshot()))
    moved = Interviewer.restore(brief(job_description="Payments in Python", difficulty="warmup"), state)
    assert [q.text for q in moved.questions] == [q.text for q in iv.questions]
    assert (moved.index, moved.asked, moved.skill, moved.probed) == (iv.index, iv.asked, iv.skill, iv.probed)
    # The follow-up budget is spent on both: the same answer moves both on to the same question.
    assert moved.respond("It was fine.").rule == iv.respond("It was fine.").rule == "next"
    assert moved.question == iv.question


def test_a_dialogue_state_saved_before_issue_23_still_restores() -> None:
    """Interviews in flight during a deploy: the old state shape (needs_skill, followups_used)."""
    old = {
        "questions": [
            {"text": "Tell me about {skill}.", "kind": "star", "tags": ["skill"], "opener": False, "needs_skill": True},
            {"text": "Describe a time you had to deliver under a tight deadline.", "kind": "star", "tags": []},
        ],
        "skill": "kubernetes",
        "index": 0,
        "followups_used": ["outcome"],
        "answers": [NO_RESULT_STORY],
        "silences": 0,
        "last_prompt": "And what was the outcome?",
        "finished": False,
    }
    iv = Interviewer.restore(brief(), old)
    assert iv.questions[0].needs == "resume" and iv.asked == [("outcome", "")]
    assert iv.respond("It was fine, we shipped it.").rule != "outcome"
