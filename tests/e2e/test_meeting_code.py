"""The code editor in a technical interview, in Chromium: typing → debounced CodeSnapshot
frames on the relay socket (decoded with the Python proto code) → the Live-API stand-in
gets the code as client_content without a turn end → snapshots in the database → the final
code on the feedback page (with the snapshot stepper) and in the Markdown export.
Keyboard: Tab indents, Escape then Tab leaves the editor. Over 64 KiB: a plain message in
the panel, nothing sent, the call goes on.
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from preppal.editor import MAX_CODE_BYTES
from preppal.live.prompt import CODE_LABEL
from preppal.models import InterviewStatus
from tests.e2e.meeting_helpers import (
    CallRecorder,
    make_candidate_and_interview,
    new_page,
    open_meeting,
    pcm24k_tone,
    poll_until,
    screenshot,
)

pytestmark = pytest.mark.browser

LINES = ["def first_unique(s):", "counts = {}", "return None"]


def code_frames(calls: CallRecorder) -> list[tuple[float, str, str]]:
    return [
        (t, m.code_snapshot.code, m.code_snapshot.language)
        for t, m in calls.sent
        if m.WhichOneof("payload") == "code_snapshot"
    ]


def shared_texts(conn) -> list[tuple[object, str]]:
    """(turn_complete, text) of each client_content the stand-in got that carries the editor."""
    return [(done, text) for done, text in conn.content_updates() if text.startswith(CODE_LABEL)]


def debounce_delays(page) -> list[int]:
    """For each snapshot sent while typing: ms since the last edit, in the browser's clock.

    Every send must come ≥ 1 s after the last edit (the debounce), ≥ 5 s after the first edit
    of a burst (max wait) or right after a flush (turn end, End); raises otherwise."""
    dbg = page.evaluate("() => window.__preppalCode")
    delays, burst_start, last_sent = [], None, -1.0
    for sent in dbg["sentAt"]:
        edits = [e for e in dbg["edits"] if last_sent < e <= sent]
        flushed = any(0 <= sent - f < 100 for f in dbg["flushes"])
        if edits and not flushed:
            burst_start = edits[0]
            since_edit = sent - edits[-1]
            assert since_edit >= 990 or sent - burst_start >= 4990, (since_edit, sent - burst_start, dbg)
            delays.append(round(since_edit))
        last_sent = sent
    return delays


def editor_text(page) -> str:
    return page.evaluate("() => window.__preppalEditor.state.doc.toString()")


def focus_in_editor(page) -> bool:
    return page.evaluate("() => !!document.activeElement && !!document.activeElement.closest('.cm-editor')")


def test_code_editor_from_typing_to_feedback(gemini_standin, gemini_db, call_browser) -> None:
    from preppal.services.interviews import code_snapshots, lifecycle

    async def gemini(conn):
        await conn.ai_turn(["Please write a function ", "in the editor."], pcm_per_word=pcm24k_tone(0.2))
        await conn.hold()

    gemini_standin.behaviour = gemini
    email, interview_id = make_candidate_and_interview(interview_type="technical")
    context, page = new_page(call_browser, gemini_db)
    calls = CallRecorder()
    calls.attach(page)
    try:
        open_meeting(page, email, interview_id)
        panel = page.locator("#code-panel")
        expect(panel).to_be_visible()
        language = page.get_by_label("Language")
        expect(language.locator("option")).to_have_count(9)
        labels = language.locator("option").all_inner_texts()
        for wanted in ("Python", "JavaScript", "TypeScript", "Java", "Go", "C++", "SQL", "Plain text", "Notes"):
            assert any(label.startswith(wanted) for label in labels), (wanted, labels)
        assert language.input_value() == "python"
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live")

        # Type with the keyboard only: Tab indents inside the editor.
        editor = page.locator("#code-panel .cm-content")
        editor.click()
        started = time.monotonic()
        page.keyboard.type(LINES[0], delay=25)
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.type(LINES[1], delay=25)
        last_key = time.monotonic()
        typed = editor_text(page)
        assert LINES[0] in typed and LINES[1] in typed
        poll_until(page, lambda: any(f[1] == typed for f in code_frames(calls)), what="debounced snapshot")
        first = next(f for f in code_frames(calls) if f[1] == typed)
        delays = debounce_delays(page)
        print(f"debounce: each snapshot this long after the last edit (ms, in the browser): {delays}")
        print(f"typing took {last_key - started:.1f} s (test clock)")
        assert first[2] == "python" and len([f for f in code_frames(calls) if f[1] == typed]) == 1
        expect(page.get_by_test_id("code-status")).to_contain_text("Shared with the interviewer")

        # Escape then Tab leaves the editor (no keyboard trap).
        assert focus_in_editor(page)
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        page.wait_for_function("() => !document.activeElement?.closest('.cm-editor')")  # the focus left the editor

        # The stand-in got it as context that does not end the candidate's turn.
        conn = gemini_standin.connections[-1]
        poll_until(page, lambda: any(typed in text for _, text in shared_texts(conn)), what="code as client_content")
        assert all(done is False for done, _ in shared_texts(conn)), shared_texts(conn)

        # Language picker: a change is shared too.
        language.select_option("sql")
        poll_until(page, lambda: any(f[2] == "sql" for f in code_frames(calls)), what="sql snapshot")
        screenshot(page, "code-1-live-editor")

        # Over 64 KiB: said plainly in the panel, not sent, the socket stays open.
        sent_before = len(code_frames(calls))
        page.evaluate(
            "n => { const v = window.__preppalEditor;"
            " v.dispatch({changes: {from: v.state.doc.length, insert: '\\n' + 'x'.repeat(n)}}); }",
            MAX_CODE_BYTES,
        )
        status = page.get_by_test_id("code-status")
        expect(status).to_have_attribute("data-kind", "too_large", timeout=10_000)
        expect(status).to_contain_text("Your code is 64.1 KiB, more than the 64 KiB the interviewer can see")
        screenshot(page, "code-2-too-large")
        page.wait_for_timeout(1500)
        assert len(code_frames(calls)) == sent_before
        assert max(len(f[1].encode()) for f in code_frames(calls)) <= MAX_CODE_BYTES
        assert calls.closed == 0
        expect(page.get_by_test_id("phase")).to_have_text("Live")
        page.evaluate(
            "() => { const v = window.__preppalEditor;"
            " v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: ''}}); }"
        )
        editor.click()
        page.keyboard.type("SELECT 1", delay=20)  # back under the cap: shared again
        final = editor_text(page)
        # End right away: the final code goes out before EndRequest (no waiting for the debounce).
        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(
            lambda url: urlparse(url).path.rstrip("/") == f"/interview/{interview_id}/feedback", timeout=30_000
        )
        kinds = [m.WhichOneof("payload") for _, m in calls.sent if m.WhichOneof("payload") != "audio_chunk"]
        assert kinds[-2:] == ["code_snapshot", "end_request"], kinds[-5:]
        assert code_frames(calls)[-1][1:] == (final, "sql")
        sizes = [len(f[1].encode()) for f in code_frames(calls)]
        print(f"code frames: {len(sizes)} sent, sizes {sizes} bytes")

        # Stored with their time; the final code is the last one.
        assert lifecycle.get_interview_any(interview_id).status == InterviewStatus.COMPLETED
        stored = code_snapshots.list_snapshots(interview_id)
        assert stored[-1].code == final and stored[-1].language == "sql"
        # Typing for over 5 s (a loaded machine) also sends a partial snapshot first.
        assert typed in [s.code for s in stored] and typed.startswith(stored[0].code)
        assert [s.at_ms for s in stored] == sorted(s.at_ms for s in stored)

        # The feedback page: the final code, and a stepper back through the snapshots.
        card = page.locator("#code-card")
        expect(card).to_be_visible(timeout=30_000)
        viewer = card.locator(".cm-content")
        expect(viewer).to_contain_text("SELECT 1")
        label = page.locator("#code-step-label")
        expect(label).to_contain_text(f"Final version · {len(stored)} of {len(stored)}")
        expect(page.get_by_text("The built-in analyzer does not judge code").first).to_be_visible()
        screenshot(page, "code-3-feedback")
        page.locator("#code-earlier").click()
        expect(label).to_contain_text(f"Snapshot · {len(stored) - 1} of {len(stored)}")
        page.get_by_role("button", name="First").click()
        expect(viewer).to_contain_text("first_unique")
        screenshot(page, "code-4-feedback-first-snapshot")

        # With the recording: each snapshot is a mark on the listen-back timeline; a click
        # shows that code and plays from there; "Play from here" seeks to the step shown.
        marks = page.locator("#recording .timeline-code")
        expect(marks).to_have_count(len(stored), timeout=30_000)
        page.wait_for_function("document.getElementById('recording-player').readyState >= 1", timeout=15_000)
        marks.last.click()
        expect(label).to_contain_text(f"Final version · {len(stored)} of {len(stored)}")
        expect(viewer).to_contain_text("SELECT 1")
        marks.first.click()
        expect(label).to_contain_text(f"Snapshot · 1 of {len(stored)}")
        expect(viewer).to_contain_text("first_unique")
        page.wait_for_function(
            "ms => Math.abs(document.getElementById('recording-player').currentTime * 1000 - ms) < 400",
            arg=stored[0].at_ms,
            timeout=10_000,
        )
        page.locator("#code-later").click()
        page.locator("#code-play").click()
        page.wait_for_function(
            "ms => Math.abs(document.getElementById('recording-player').currentTime * 1000 - ms) < 400",
            arg=stored[1].at_ms,
            timeout=10_000,
        )
        screenshot(page, "code-7-feedback-timeline")

        # The Markdown export carries the final code.
        md = page.request.get(f"/api/interview/{interview_id}/export.md")
        assert md.status == 200
        body = md.text()
        assert "## Your code" in body and "```sql\nSELECT 1\n```" in body
    finally:
        screenshot(page, "code-last")
        context.close()


def test_system_design_starts_in_notes_and_behavioural_has_no_editor(gemini_standin, gemini_db, call_browser) -> None:
    email, design_id = make_candidate_and_interview(interview_type="system_design")
    context, page = new_page(call_browser, gemini_db)
    try:
        open_meeting(page, email, design_id)
        language = page.get_by_label("Language")
        expect(language.locator("option")).to_have_count(9)
        assert language.input_value() == "notes"
        page.locator("#code-panel .cm-content").click()
        page.keyboard.type("# Feed service\nclients -> LB -> api -> cache -> db", delay=5)
        expect(page.locator("#code-panel [data-language=notes]")).to_be_visible()
        expect(page.get_by_test_id("code-status")).to_contain_text("once the call is live", timeout=10_000)
        screenshot(page, "code-5-system-design-notes")
        page.set_viewport_size({"width": 420, "height": 900})  # a phone: the editor goes under the call
        editor_box = page.locator("#code-panel").bounding_box()
        transcript_box = page.get_by_text("Transcript").bounding_box()
        assert transcript_box["y"] < editor_box["y"], (transcript_box, editor_box)
        screenshot(page, "code-6-narrow")
    finally:
        context.close()
    from preppal.services.interviews import lifecycle

    user_id = lifecycle.get_interview_any(design_id).user_id
    talk = lifecycle.create_interview(user_id, interview_type="behavioural", role="Product manager")
    context, page = new_page(call_browser, gemini_db)
    try:
        open_meeting(page, email, talk.id)
        expect(page.get_by_test_id("start-call")).to_be_visible()
        assert page.locator("#code-panel").count() == 0
    finally:
        context.close()


def test_the_editor_says_when_it_shared_and_nothing_while_empty(gemini_standin, gemini_db, call_browser) -> None:
    """Issue 24: a turn's end flushes the editor; an editor nobody wrote in shares nothing and
    says nothing about sharing. Once code is shared, the time reads as elsewhere ("14:05 UTC")."""
    answered = threading.Event()

    async def gemini(conn):
        await conn.ai_turn(["Please write a function ", "in the editor."], pcm_per_word=pcm24k_tone(0.2))
        await conn.wait_audio(16_000, timeout=30)
        await conn.input_transcript("I will start with a helper.")  # the candidate's turn ends: a flush
        await conn.ai_turn(["Go ahead."], pcm_per_word=pcm24k_tone(0.2))
        answered.set()
        await conn.hold()

    gemini_standin.behaviour = gemini
    email, interview_id = make_candidate_and_interview(interview_type="technical")
    context, page = new_page(call_browser, gemini_db)
    calls = CallRecorder()
    calls.attach(page)
    status = page.get_by_test_id("code-status")
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live")
        expect(page.get_by_text("Go ahead.")).to_be_visible(timeout=30_000)
        assert answered.is_set()
        expect(status).to_have_text("The interviewer sees what you write here (it is never run).")
        assert code_frames(calls) == [], "an empty editor shares nothing"
        screenshot(page, "code-empty-after-a-turn")

        page.locator("#code-panel .cm-content").click()
        page.keyboard.type("def helper():")
        expect(status).to_have_text(re.compile(r"^Shared with the interviewer at \d\d:\d\d UTC$"))
        screenshot(page, "code-shared-at")
    finally:
        context.close()
