"""The code editor's server side without a browser: the vocabulary and size cap, the relay's
CodeChannel (cap, repeats, throttle, drain), storage with its per-interview cap, the
offline interviewer's editor rules, the Gemini wording, feedback prompt and exports."""

from __future__ import annotations

import asyncio

import pytest

from preppal import display, editor
from preppal.live.base import InterviewBrief
from preppal.live.offline.interviewer import Interviewer
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.questions import pick_questions
from preppal.live.prompt import CODE_LABEL, code_context, system_instruction
from preppal.models import InterviewStatus, Speaker
from preppal.realtime.code_channel import CodeChannel
from preppal.services.accounts import auth
from preppal.services.analysis.transcript_metrics import compute_metrics
from preppal.services.errors import ValidationError
from preppal.services.exports import render
from preppal.services.feedback import analyzer, produce
from preppal.services.feedback.gemini import code_section
from preppal.services.feedback.report import feedback_snapshot
from preppal.services.feedback.scorecard_card import build_card
from preppal.services.interviews import code_snapshots, lifecycle, transcripts
from preppal.services.interviews.code_snapshots import Snapshot
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings


# --- vocabulary and cap ----------------------------------------------------------------------
def test_languages_and_rounds() -> None:
    assert {"python", "javascript", "typescript", "java", "go", "cpp", "sql", "text", "notes"} <= set(editor.LANGUAGES)
    assert editor.normalise_language(" Python ") == "python"
    assert editor.normalise_language("brainfuck") == "text" and editor.normalise_language("x" * 500) == "text"
    assert [editor.has_editor(t) for t in ("technical", "system_design", "role_specific", "behavioural")] == [
        True,
        True,
        True,
        False,
    ]
    assert editor.default_language("system_design") == "notes" and editor.default_language("technical") == "python"
    assert display.code_language_label("cpp") == "C++" and display.code_language_label("nope") == "Plain text"
    assert [o["id"] for o in display.code_language_options()] == list(editor.LANGUAGES)


def test_cap_counts_utf8_bytes_not_characters() -> None:
    euro = "€" * (editor.MAX_CODE_BYTES // 3 + 1)  # fewer characters than the cap, more bytes
    assert len(euro) < editor.MAX_CODE_BYTES < editor.code_bytes(euro)
    channel = CodeChannel("iv", lambda: 0)
    assert channel.offer(euro, "python") is False
    assert channel.offer("a" * editor.MAX_CODE_BYTES, "python") is True  # exactly the cap is fine


# --- the relay's channel -----------------------------------------------------------------------
class FakeBackend:
    def __init__(self) -> None:
        self.code: list[tuple[str, str]] = []

    async def send_code(self, code: str, language: str) -> None:
        self.code.append((code, language))


@pytest.fixture
def stored(monkeypatch):
    rows: list[tuple[str, int, str, str]] = []
    monkeypatch.setattr(code_snapshots, "record_snapshot", lambda *args, owner=None: rows.append(args))
    return rows


async def test_channel_forwards_and_stores_newest_once_per_interval(stored) -> None:
    clock = iter(range(0, 10_000, 100))
    channel = CodeChannel("iv-1", lambda: next(clock), min_interval_s=0.3)
    backend = FakeBackend()
    channel.start()
    channel.offer("early = 1", "python")  # before the backend is live: shown and stored on attach
    await asyncio.sleep(0.05)
    channel.attach(backend)
    await asyncio.sleep(0.4)
    assert backend.code == [("early = 1", "python")]
    for i in range(10):  # a snapshot per keystroke
        channel.offer(f"x = {i}", "PYTHON")
        await asyncio.sleep(0.02)
    channel.offer("x = 9", "python")  # a repeat: ignored
    await channel.close()
    assert backend.code[-1] == ("x = 9", "python")
    assert len(backend.code) <= 3, backend.code  # 1 + at most 2 for 10 offers within ~0.2 s
    assert [r[3] for r in stored][0] == "early = 1" and stored[-1][2:] == ("python", "x = 9")
    assert len(stored) <= 3
    assert all(r[0] == "iv-1" for r in stored) and [r[1] for r in stored] == sorted(r[1] for r in stored)


async def test_channel_close_stores_the_pending_snapshot_at_once(stored) -> None:
    channel = CodeChannel("iv-2", lambda: 1234, min_interval_s=30)
    channel.attach(FakeBackend())
    channel.start()
    channel.offer("first", "go")
    await asyncio.sleep(0.05)
    channel.offer("final", "go")  # would wait 30 s for the throttle
    await asyncio.wait_for(channel.close(), 2)
    assert [r[3] for r in stored] == ["first", "final"]
    assert channel.offer("after close", "go") is True and len(stored) == 2
    await channel.close()  # idempotent


async def test_an_editor_nobody_wrote_in_is_not_a_snapshot(stored) -> None:
    """The browser flushes the panel before End even when it was never used: no empty
    "Your code" card on the feedback page. Clearing code once written is still a snapshot."""
    channel = CodeChannel("iv-3", lambda: 0, min_interval_s=0)
    channel.attach(FakeBackend())
    channel.start()
    channel.offer("", "python")
    channel.offer("  \n", "sql")
    await asyncio.sleep(0.05)
    assert stored == []
    channel.offer("x = 1", "python")
    await asyncio.sleep(0.05)
    channel.offer("", "python")
    await channel.close()
    assert [r[3] for r in stored] == ["x = 1", ""]


async def test_a_failing_backend_or_database_does_not_stop_the_channel(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("db down")

    monkeypatch.setattr(code_snapshots, "record_snapshot", broken)

    class Broken:
        async def send_code(self, code: str, language: str) -> None:
            raise ConnectionError("upstream gone")

    channel = CodeChannel("iv-3", lambda: 0, min_interval_s=0)
    channel.attach(Broken())
    channel.start()
    channel.offer("a", "sql")
    await asyncio.sleep(0.05)
    channel.offer("b", "sql")
    await channel.close()
    assert channel.failures == 2


# --- storage -------------------------------------------------------------------------------------
@pytest.fixture
def interview_id(db) -> str:
    user = auth.sign_up("coder@example.com", "Correct-horse-9", "Cody")
    return lifecycle.create_interview(user.id, interview_type="technical", role="Backend engineer").id


def test_storage_keeps_the_first_the_newest_and_spreads_out_past_the_count_cap(interview_id) -> None:
    for i in range(5):
        code_snapshots.record_snapshot(interview_id, i * 1000, "python", f"v{i}", cap=3)
    stored = code_snapshots.list_snapshots(interview_id)
    assert [s.code for s in stored] == ["v0", "v2", "v4"]  # the final code is never lost
    assert stored[-1].at_ms == 4000
    assert code_snapshots.final_snapshot(interview_id) == Snapshot(4000, "python", "v4")
    with pytest.raises(ValidationError):
        code_snapshots.record_snapshot(interview_id, 0, "python", "x" * (editor.MAX_CODE_BYTES + 1))


def _big_code(seed: int, lines: int) -> str:
    return "".join(f"def f{seed}_{n}(x):\n    return x * {n} + {seed}  # {'.' * 40}\n" for n in range(lines))


def test_stored_code_per_interview_is_capped_keeping_newest_and_step_changes(interview_id) -> None:
    """Issue 22: 600 x 64 KiB = 37.5 MiB per interview was allowed. Small edits to a large
    file thin out; the first version, a rewrite and the newest stay."""
    base = _big_code(0, 700)  # ~ 55 KiB
    rewrite = _big_code(1, 700)
    assert editor.code_bytes(base) < editor.MAX_CODE_BYTES
    at = 0
    for i in range(60):  # a line appended at a time, then the whole file replaced, then more edits
        at += 1000
        code = (base if i < 30 else rewrite)[: 50_000 + 100 * (i % 30)]
        code_snapshots.record_snapshot(interview_id, at, "python", code)
    stored = code_snapshots.list_snapshots(interview_id)
    total = sum(editor.code_bytes(s.code) for s in stored)
    assert total <= 2 * 1024 * 1024  # MAX_BYTES_PER_INTERVIEW; 60 x ~52 KiB were all kept
    assert code_snapshots.stored_bytes(interview_id) == total
    assert stored[0].at_ms == 1000 and stored[-1].at_ms == at  # the first and the newest
    assert stored[-1].code == rewrite[: 50_000 + 100 * 29]
    assert any(s.at_ms == 31_000 for s in stored)  # the rewrite: the biggest step
    times = code_snapshots.list_times(interview_id)
    assert [t.at_ms for t in times] == [s.at_ms for s in stored]  # the page lists the same, without code
    assert code_snapshots.get_snapshot(interview_id, times[1].id).code == stored[1].code
    assert code_snapshots.get_snapshot("another-interview", times[1].id) is None


def test_a_language_switch_is_a_step_change(interview_id) -> None:
    for i in range(6):
        code_snapshots.record_snapshot(interview_id, i * 1000, "python" if i < 3 else "sql", f"select {i}", cap=3)
    assert [s.language for s in code_snapshots.list_snapshots(interview_id)] == ["python", "sql", "sql"]


def test_changed_bytes_is_the_edit_between_common_ends() -> None:
    assert code_snapshots.changed_bytes(b"abcdef", b"abcdef") == 0
    assert code_snapshots.changed_bytes(b"abcdef", b"abXYef") == 4
    assert code_snapshots.changed_bytes(b"", b"abc") == 3
    assert code_snapshots.changed_bytes(b"aaaa", b"aaaaaa") == 2  # prefix and suffix never overlap


# --- the offline interviewer -----------------------------------------------------------------------
def tech(difficulty: str = "standard") -> InterviewBrief:
    return InterviewBrief("iv-code", "technical", "Backend engineer", difficulty)


def test_technical_rounds_ask_a_coding_question_right_after_the_opener() -> None:
    for difficulty, wanted in (("warmup", 1), ("standard", 1), ("intense", 2)):
        chosen, _ = pick_questions(tech(difficulty), load_pack(), "seed")
        kinds = [q.kind for q in chosen]
        assert kinds.count("code") == wanted and kinds[1] == "code", (difficulty, kinds)
    behavioural, _ = pick_questions(InterviewBrief("b", "behavioural", "PM", "standard"), load_pack(), "s")
    assert "code" not in [q.kind for q in behavioural]


def test_offline_interviewer_asks_to_write_then_to_walk_through_changed_code() -> None:
    iv = Interviewer(tech())
    iv.opening()
    answer = "I mostly use Python and Postgres for backend services, with FastAPI and some Go for tooling."
    while iv.question.kind != "code":  # the opener may get a follow-up first
        assert iv.respond(answer).rule in ("next", "probe", "example")
    assert not iv.asked
    assert "merges overlapping intervals" in iv.question.text
    spoken = "I would sort the intervals by their start and then extend the last one while the next one overlaps."
    reply = iv.respond(spoken)
    assert reply.rule == "write" and "editor" in reply.text
    code = "def merge(intervals):\n    intervals.sort()\n    out = [intervals[0]]\n"
    iv.note_code(code)
    reply = iv.respond("Okay, I have written it in the editor now, it sorts and then does a single pass.")
    assert reply.rule == "walkthrough" and "merge" in reply.text  # it names what is on screen
    assert "walk me through" in reply.text.lower() or "talk me through" in reply.text.lower()
    iv.note_code(code)  # the same code again: no change
    assert not iv.code_changed
    reply = iv.respond(spoken + " It is linear after the sort, so n log n overall.")
    assert reply.rule not in ("walkthrough", "write", "complexity")  # complexity was just said


def test_walkthrough_applies_in_any_round_once_per_question_and_ignores_whitespace() -> None:
    iv = Interviewer(InterviewBrief("iv-sd", "system_design", "Backend engineer", "warmup"))
    iv.opening()
    iv.note_code("clients -> load balancer -> api")
    assert iv.respond("I would put a load balancer in front of stateless API servers and a cache.").rule == (
        "walkthrough"
    )
    iv.note_code("clients  ->  load balancer -> api\n")
    assert not iv.code_changed


# --- Gemini wording ------------------------------------------------------------------------------------
def test_gemini_instruction_and_code_context() -> None:
    assert "shared code editor" in system_instruction(tech())
    assert "code editor" not in system_instruction(InterviewBrief("b", "behavioural", "PM", "standard"))
    text = code_context("print('```')\n", "python")
    assert text.startswith(CODE_LABEL) and "current code (Python)" in text and "not been run" in text
    assert "\n````\nprint('```')\n\n````" in text  # a fence longer than any inside
    assert "(the editor is empty)" in code_context("  ", "sql")


# --- feedback and export ------------------------------------------------------------------------------------
LINES = [
    TranscriptLine(1, Speaker.AI, "Write a function that reverses a list.", 0, 3_000),
    TranscriptLine(2, Speaker.USER, "I would walk from both ends and swap the items until they meet.", 4_000, 9_000),
    TranscriptLine(3, Speaker.AI, "Now write a SQL query for the top customers.", 20_000, 23_000),
    TranscriptLine(4, Speaker.USER, "I group the orders by customer and sum the totals, then sort.", 24_000, 30_000),
]


def test_prompt_code_section_has_each_questions_version_and_the_final_code() -> None:
    snaps = [
        Snapshot(5_000, "python", "def rev(xs):\n    pass"),
        Snapshot(15_000, "python", "def rev(xs):\n    return xs[::-1]"),
        Snapshot(28_000, "sql", "SELECT customer, SUM(total) FROM orders GROUP BY customer"),
    ]
    text = code_section(snaps, LINES)
    assert text.index("return xs[::-1]") < text.index("Final code at [0:28] (SQL)")
    assert "pass" not in text  # superseded before the next question
    assert code_section([], LINES) == "" and code_section([Snapshot(0, "python", "  \n")], LINES) == ""


def test_analyzer_says_it_does_not_judge_code() -> None:
    metrics = compute_metrics(LINES)
    card = build_card("technical", "standard", LINES)
    with_code = analyzer.analyze(metrics, card, has_code=True)
    without = analyzer.analyze(metrics, card)
    assert "does not judge the code" in with_code.summary and "does not judge" not in without.summary
    assert "code_quality" not in with_code.scores


@pytest.fixture
def finished_with_code(interview_id) -> str:
    lifecycle.update_status(interview_id, InterviewStatus.IN_PROGRESS)
    code_snapshots.record_snapshot(interview_id, 5_000, "python", "def rev(xs):\n    pass\n")
    code_snapshots.record_snapshot(interview_id, 28_000, "python", "s = '```'\ndef rev(xs):\n    return xs[::-1]\n")
    transcripts.submit_transcript(interview_id, LINES)
    return interview_id


def test_markdown_and_pdf_exports_carry_the_final_code(finished_with_code) -> None:
    iid = finished_with_code
    owner = lifecycle.get_interview_any(iid).user_id
    row = produce.run_feedback(iid)
    assert "does not judge the code" in row.summary and "code_quality" not in row.scores
    report = feedback_snapshot(owner, iid, open_store(get_settings()))
    md = render.to_markdown(report)
    section = md[md.index("## Your code") : md.index("## Delivery metrics")]
    assert "Python · final version at 0:28 · 2 snapshots" in section
    assert "````python\ns = '```'\ndef rev(xs):\n    return xs[::-1]\n````" in section
    assert "pass" not in section
    pdf = render.to_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_markdown_without_code_has_no_code_section(interview_id) -> None:
    lifecycle.update_status(interview_id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview_id, LINES)
    owner = lifecycle.get_interview_any(interview_id).user_id
    assert "## Your code" not in render.to_markdown(feedback_snapshot(owner, interview_id, open_store(get_settings())))


def test_code_marks_sit_on_the_recording_timeline() -> None:
    from preppal.state.recording_view import code_marks

    marks = code_marks([0, 30_000, 60_000], 60_000)
    expected = [("0.000%", 0, 0), ("50.000%", 30_000, 1), ("100.000%", 60_000, 2)]
    assert [(m.left, m.at_ms, m.index) for m in marks] == expected
    assert marks[1].title == "Your code at 0:30"


async def test_feedback_page_state_holds_one_snapshot_at_a_time(interview_id) -> None:
    """Issue 22: the feedback page's state kept every snapshot's code per tab (serialised into
    Redis on every event with Redis state). It keeps the times, shows the final code, and
    reads one other snapshot when the candidate steps to it."""
    import asyncio

    import reflex as rx

    from preppal.state.feedback import FeedbackState

    def prepare() -> tuple[int, list[str]]:
        lifecycle.update_status(interview_id, InterviewStatus.IN_PROGRESS)
        codes = [_big_code(n, 500) for n in range(30)]  # 30 different files of ~40 KiB
        for n, code in enumerate(codes):
            code_snapshots.record_snapshot(interview_id, (n + 1) * 1000, "python", code)
        transcripts.submit_transcript(interview_id, LINES)
        return lifecycle.get_interview_any(interview_id).user_id, codes

    owner, codes = await asyncio.to_thread(prepare)
    snap = await asyncio.to_thread(feedback_snapshot, owner, interview_id, open_store(get_settings()))
    root = rx.State(_reflex_internal_init=True)
    page = root.get_substate(FeedbackState.get_full_name().split(".")[1:])
    page._show(snap)
    kept = [s.code for s in await asyncio.to_thread(code_snapshots.list_snapshots, interview_id)]
    assert page.code_shown == kept[-1] == codes[-1] and len(page.code_steps) == len(kept) > 2
    assert len(page._serialize()) < 3 * editor.MAX_CODE_BYTES  # was every snapshot: ~1.2 MB here
    await page.show_code_step(0)
    assert page.code_index == 0 and page.code_shown == kept[0] == codes[0]
    await page.show_code_step(99)  # clamped to the last
    assert page.code_index == len(kept) - 1 and page.code_shown == codes[-1]
    assert len(page._serialize()) < 3 * editor.MAX_CODE_BYTES
