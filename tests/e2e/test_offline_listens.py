"""The offline interviewer listens (issue 23), walked in Chromium with the fake microphone:

- a technical round where the code is written before the first question has ended: the coding
  question asks about the code on screen, never for it;
- a behavioural round whose job description names three technologies: they become a question;
- an Intense round with a vague answer: the interviewer presses for detail and praises nothing.

The candidate's answers are espeak-ng speech in one WAV per call (the fake microphone plays it
from the start of the call), spaced so that each follows the interviewer's turn.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from preppal.live.base import InterviewBrief
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.questions import plan_interview
from tests.e2e.meeting_helpers import (
    INTERVIEWER,
    launch_browser,
    new_page,
    open_meeting,
    rows,
    rows_after,
    screenshot,
    words,
)
from tests.support.users import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Code that answers each coding question of the bank, as a candidate might type it early.
CODE = {
    "merge": "def merge_intervals(items):\n    items = sorted(items)\n    merged = [items[0]]\n    return merged\n",
    "first": "def first_unique(text):\n    counts = {}\n    for ch in text:\n        counts[ch] = 1\n",
    "customer": "select customer_id, sum(total) as spent from orders\ngroup by customer_id limit 3;\n",
    "reverse": "def reverse_words(sentence):\n    return ' '.join(reversed(sentence.split()))\n",
    "count": "def count_words(text):\n    counts = {}\n    for word in text.split():\n        counts[word] = 1\n",
    "lru": "class LRUCache:\n    def __init__(self, capacity):\n        self.capacity = capacity\n",
    "longest": "def longest_substring(s):\n    seen = {}\n    start = best = 0\n    return best\n",
    "rate": "class RateLimiter:\n    def allow(self, user):\n        return True\n",
}
NAMES = {
    "merge": "merge_intervals",
    "first": "first_unique",
    "customer": "your query",
    "reverse": "reverse_words",
    "count": "count_words",
    "lru": "LRUCache",
    "longest": "longest_substring",
    "rate": "RateLimiter",
}


def answers_wav(directory: Path, name: str, texts: list[str], lead_s: float, gap_s: float) -> Path:
    """One WAV: silence for ``lead_s`` (the greeting), then each answer with ``gap_s`` after it."""
    from tests.support.speech import speech_pcm, write_wav

    pcm = b"".join(speech_pcm(t, lead_s=lead_s if i == 0 else 0.0, tail_s=gap_s) for i, t in enumerate(texts))
    return write_wav(directory / f"{name}.wav", pcm)


def interview(kind: str, difficulty: str, **extra: str) -> tuple[str, str, InterviewBrief]:
    from preppal.services.interviews import lifecycle

    user = make_user(password=PASSWORD, name="Ada Candidate")
    row = lifecycle.create_interview(
        user.id, interview_type=kind, role="Backend engineer", difficulty=difficulty, **extra
    )
    brief = InterviewBrief(row.id, kind, "Backend engineer", difficulty, **{k: v for k, v in extra.items()})
    return user.email, row.id, brief


def ai_lines(page) -> list[str]:
    """What the interviewer said, row by row (for the report and the checks after the call)."""
    return words(rows(page, INTERVIEWER)).all_inner_texts()


def call(playwright, server, wav: Path, email: str, interview_id: str, name: str, awaited, setup=None) -> list[str]:
    """Start the call, run ``setup`` once live, wait for a row of ``awaited(page)`` (a locator
    on the transcript) to be shown, screenshot, end. Returns the interviewer's lines."""
    browser = launch_browser(playwright, wav=wav)
    context, page = new_page(browser, server)
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live", timeout=60_000)
        if setup is not None:
            setup(page)
        try:
            expect(awaited(page)).not_to_have_count(0, timeout=150_000)
        except AssertionError as missing:  # say what the interviewer did say
            raise AssertionError(f"{missing}\ninterviewer lines: {ai_lines(page)}") from missing
        screenshot(page, name)
        lines = ai_lines(page)
        page.get_by_role("button", name="End interview").click()
        expect(page).to_have_url(re.compile(r"/feedback"), timeout=30_000)
        return lines
    finally:
        context.close()
        browser.close()


def test_code_written_before_the_first_question_ends_is_asked_about(app_db, playwright_instance, tmp_path) -> None:
    email, interview_id, brief = interview("technical", "standard")
    coding = next(q for q in plan_interview(brief, load_pack("en"), interview_id).questions if q.kind == "code")
    key = coding.code_words[0]  # the bank's first word for it: merge, first, customer, …
    wav = answers_wav(
        tmp_path,
        "technical",
        [
            "I mostly work with Python and Postgres on backend services, and some Go for internal tools.",
            "I use Python for the services and Go for small command line tools, mostly at work.",
            "I wrote that one already, it is the function in the editor.",
        ],
        lead_s=24.0,
        gap_s=16.0,
    )

    def type_code_early(page) -> None:  # while the greeting and the first question are still being said
        page.evaluate(
            "code => { const v = window.__preppalEditor;"
            " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: code}}); }",
            CODE[key],
        )

    name = NAMES[key]
    lines = call(
        playwright_instance,
        app_db,
        wav,
        email,
        interview_id,
        "offline-code-before-question",
        # the coding question asks about the code on screen: its name and "already" in one line
        lambda page: rows(page, INTERVIEWER, saying=re.compile(f"^(?=.*{re.escape(name)})(?=.*already)", re.S)),
        setup=type_code_early,
    )
    assert not any("please write" in line.lower() for line in lines), lines
    print("interviewer lines:", *lines, sep="\n  ")


def test_a_job_description_with_three_technologies_shapes_the_questions(app_db, playwright_instance, tmp_path) -> None:
    jd = (
        "Backend engineer for our data platform. You will build Kafka pipelines, model data in PostgreSQL "
        "and ship React dashboards."
    )
    email, interview_id, _ = interview("behavioural", "standard", job_description=jd)
    wav = answers_wav(
        tmp_path,
        "jd",
        [
            "I am a backend engineer. I have built payment services in Python for four years.",
            "I built the event pipeline for our mobile app with Kafka, and I wrote the consumers myself.",
            "At my last job I built our order service on Postgres, and it handled ten thousand orders a day.",
        ],
        lead_s=24.0,
        gap_s=16.0,
    )
    lines = call(
        playwright_instance,
        app_db,
        wav,
        email,
        interview_id,
        "offline-jd-three-technologies",
        lambda page: rows(
            page, INTERVIEWER, saying=re.compile(re.escape("The role lists Kafka, PostgreSQL and React."))
        ),
    )
    print("interviewer lines:", *lines, sep="\n  ")


def test_intense_presses_on_a_vague_answer(app_db, playwright_instance, tmp_path) -> None:
    email, interview_id, _ = interview("behavioural", "intense")
    wav = answers_wav(
        tmp_path,
        "intense",
        ["Honestly I think I would just communicate well and keep everyone aligned, and stuff like that."],
        lead_s=13.0,  # right after the greeting (Intense nudges after 8 s of silence)
        gap_s=20.0,
    )
    pressed = ("That's still general", "I need something concrete", "That's vague", "haven't given me a number")
    pushed = re.compile("|".join(map(re.escape, pressed)))
    lines = call(
        playwright_instance,
        app_db,
        wav,
        email,
        interview_id,
        "offline-intense-vague-answer",
        lambda page: rows_after(rows(page, INTERVIEWER).first, INTERVIEWER, saying=pushed),  # after the greeting
    )
    assert not any("great" in line.lower() for line in lines[1:]), lines
