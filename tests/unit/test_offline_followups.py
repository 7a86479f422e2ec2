"""Follow-ups grounded in the answer, the job description, the difficulty and the editor (issue 23)."""

from __future__ import annotations

import pytest

from preppal.live.base import InterviewBrief
from preppal.live.offline.code_view import CodeView
from preppal.live.offline.interviewer import Interviewer
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.questions import Question
from preppal.live.offline.reading import read

PACK = load_pack("en")
MERGE = (
    "def merge_intervals(items):\n    items = sorted(items)\n    merged = [items[0]]\n    for s, e in items[1:]:\n"
    "        if s <= merged[-1][1]:\n            merged[-1] = (merged[-1][0], max(merged[-1][1], e))\n"
    "        else:\n            merged.append((s, e))\n    return merged\n"
)


def at(question: str, kind: str, difficulty: str = "standard", interview: str = "behavioural", **brief) -> Interviewer:
    """An interviewer discussing ``question`` (no follow-ups asked yet)."""
    iv = Interviewer(InterviewBrief("iv-f", interview, brief.pop("role", "Backend Engineer"), difficulty, **brief))
    iv.opening()
    iv.questions[iv.index] = Question(question, kind)
    return iv


def test_a_probe_quotes_what_the_answer_named() -> None:
    iv = at("Tell me about a time you improved the performance of a system.", "star", interview="technical")
    reply = iv.respond(
        "Our product pages were slow, so I put Redis in front of the catalogue as a cache with a five minute expiry, "
        "and the pages went from two seconds to 300 milliseconds."
    )
    assert reply.rule == "probe" and reply.subject in ("redis", "cache", "ttl")
    assert reply.text.startswith("You mentioned ") and reply.sentences[0].rstrip(".").split(" ", 2)[2] in (
        "Redis",
        "a cache",
        "expiry",
    )


def test_an_unmeasured_result_is_quoted_back_and_asked_to_be_measured() -> None:
    iv = at("Tell me about a time you improved a process your team relied on.", "star")
    reply = iv.respond(
        "I wrote a script that ran our smoke tests before every release, and after that the releases got "
        "a lot faster and the team was happier."
    )
    assert reply.rule == "quantify"
    assert "the releases got a lot faster" in reply.text


@pytest.mark.parametrize("difficulty", ["warmup", "standard", "intense"])
def test_a_concrete_example_is_never_asked_for_an_example(difficulty: str) -> None:
    iv = at("Describe a time you had to explain something complex to a non-technical audience.", "star", difficulty)
    reply = iv.respond(
        "For example, last spring a hospital client didn't understand why their export was late. I drew the "
        "pipeline on one slide and walked their director through it, and they agreed to wait for the fix."
    )
    assert reply.rule not in ("example", "pushback")


def test_we_without_i_asks_for_the_candidates_own_part() -> None:
    iv = at("Tell me about a time you had a disagreement with a colleague.", "star")
    reply = iv.respond(
        "We disagreed about whether to rewrite the billing module. We had a few meetings, we wrote down the pros "
        "and cons and in the end we decided to patch it."
    )
    assert reply.rule in ("own_role", "reflection", "tradeoff")
    assert reply.rule == "own_role"


def test_intense_pushes_back_on_a_vague_answer_and_never_praises_it() -> None:
    iv = at("Tell me about the hardest conflict you've had with a senior stakeholder.", "star", "intense")
    reply = iv.respond("Honestly I'd just communicate well and keep everyone aligned, and stuff like that.")
    assert reply.rule == "pushback"
    for _ in range(4):
        reply = iv.respond("It usually works out, things like that.")
        if reply.rule == "next":
            break
    assert reply.rule == "next" and "great" not in reply.text.lower()
    leads = PACK.phrases["next_question_lead"]
    assert not any("great" in line.lower() for line in leads["good"]["intense"] + leads["weak"]["intense"])


def test_warm_up_encourages_and_is_slower() -> None:
    iv = at("Tell me about a project you're proud of. What was your part in it?", "star", "warmup")
    reply = iv.respond("I built a small website for my aunt's bakery with HTML and a bit of JavaScript.")
    assert reply.followup and reply.text.split(".")[0] + "." in PACK.followups["lead"]["warmup"]
    silence = PACK.pacing["silence_prompt_s"]
    assert silence["warmup"] > silence["standard"] > silence["intense"]
    assert PACK.pacing["followups_per_question"]["warmup"] < PACK.pacing["followups_per_question"]["intense"]


def test_the_job_description_becomes_a_question_naming_its_technologies() -> None:
    jd = "Full-stack engineer. You'll build Kafka pipelines, PostgreSQL models and React dashboards."
    iv = Interviewer(InterviewBrief("iv-jd", "behavioural", "Full-Stack Engineer", "standard", job_description=jd))
    texts = [q.text for q in iv.questions]
    assert any("The role lists Kafka, PostgreSQL and React." in t for t in texts), texts
    assert iv.jd_techs[:3] == ("kafka", "postgresql", "react")


def test_an_answer_using_a_cousin_of_a_listed_technology_gets_a_job_description_follow_up() -> None:
    iv = at(
        "How do you keep reporting queries fast as the data grows?",
        "explain",
        "standard",
        "technical",
        job_description="Backend engineer: Python and PostgreSQL; you will own our reporting service.",
    )
    reply = iv.respond("We kept everything in MySQL, and I added covering indexes for the slowest reports.")
    assert reply.rule == "jd" and reply.subject == "postgresql" and "PostgreSQL" in reply.text


def test_code_written_before_the_question_is_asked_about_not_asked_for() -> None:
    iv = Interviewer(InterviewBrief("iv-code", "technical", "Backend engineer", "standard"))
    iv.opening()
    iv.note_code(MERGE)  # written while the first question was still being asked
    reply = iv.respond("I mostly use Python and Postgres, with some Go for tooling, for the last three years.")
    while iv.question is not None and iv.question.kind != "code":
        reply = iv.respond("Python, Postgres and Go, mostly for web services and internal tools at work.")
    assert "merge_intervals" in reply.text and "already" in reply.text and "write" not in reply.text.lower()
    assert "walkthrough" in iv.followups_used  # asking about the code on screen is the walk-through
    reply = iv.respond("It sorts them and then merges each one into the last when they overlap.")
    assert reply.rule in ("complexity", "edge_cases", "tests") and "merge_intervals" in reply.text
    reply = iv.respond("Could you repeat the question?")
    assert reply.rule == "repeat" and "write" not in reply.text.lower() and "merges overlapping" in reply.text


def test_on_screen_questions_follow_what_the_code_lacks() -> None:
    iv = at(
        "Let's write some code. In the editor, please write a function that merges overlapping intervals.",
        "code",
        interview="technical",
    )
    iv.questions[iv.index] = Question(iv.question.text, "code", topic="merging intervals", code_words=("merge",))
    iv.note_code(MERGE)
    assert iv.respond("Done, it's in the editor.").rule == "walkthrough"
    reply = iv.respond("It sorts the list, which is n log n, then merges in one linear pass.")
    assert reply.rule == "edge_cases" and "empty input" in reply.text  # it reads items[0] unguarded
    assert CodeView(MERGE).unguarded_empty and not CodeView("if not items:\n    return []\n" + MERGE).unguarded_empty


def test_nothing_is_probed_twice_in_one_interview() -> None:
    iv = Interviewer(InterviewBrief("iv-r", "technical", "Backend Engineer", "intense"))
    iv.opening()
    subjects = []
    for _ in range(20):
        reply = iv.respond("I put a cache in front of the database, and Redis holds the sessions for 30 minutes.")
        if reply.rule in ("probe", "jd"):
            subjects.append(reply.subject)
        if reply.ended:
            break
    assert subjects and len(subjects) == len(set(subjects))


def test_a_ranker_may_reorder_the_candidates_but_not_invent_them() -> None:
    seen = []

    def last_first(turn, found):
        seen.append([c.rule for c in found])
        return list(reversed(found))

    iv = at("Tell me about a time you took the lead on something.", "star")
    iv.ranker = last_first
    reply = iv.respond(
        "At my last company our checkout kept timing out, so I profiled the queries and added an index and a cache."
    )
    assert seen and reply.rule == seen[0][-1] or reply.rule == "next"


def test_reading_an_answer() -> None:
    reading = read(PACK, "We had a few meetings. I put Redis in front of our database; the pages got a lot faster.")
    assert [m.concept.id for m in reading.mentions][:3] == ["meeting", "redis", "database"]
    assert {m.concept.id: m.said for m in reading.mentions}["database"] == "our database"
    assert reading.has("we", "own_action", "vague_result") and reading.concrete and not reading.numbers
    assert read(PACK, "I'm good with teamwork, I just help people out.").vague
