"""Helpers for the meeting-screen browser tests (the fixtures are in tests/e2e/conftest.py).

The production app is served with the real Gemini backend (real google-genai SDK) pointed
at the Live-API stand-in, which runs in a background thread (:class:`ThreadedStandin`):
each test scripts what "Gemini" does by setting :attr:`ThreadedStandin.behaviour`. The
browser is Debian Chromium with a fake microphone playing a spoken WAV.
"""

from __future__ import annotations

import asyncio
import math
import re
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from preppal.realtime.pb import interview_pb2 as pb
from tests.support import browser as browser_support
from tests.support.app_server import AppServer
from tests.support.live_api_standin import LiveApiStandin, StandinConnection
from tests.support.users import PASSWORD, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "artifacts" / "meeting-screens"


class ThreadedStandin:
    """The async stand-in on its own event loop, so sync Playwright tests can drive it."""

    def __init__(self) -> None:
        self.behaviour: Callable[[StandinConnection], object] = _hold
        self.setup_delay_s = 0.0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.server: LiveApiStandin | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True, name="standin")

    async def _dispatch(self, conn: StandinConnection) -> None:
        await self.behaviour(conn)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with LiveApiStandin([self._dispatch]) as server:
            server.complete_setup = self._complete_setup
            self.server = server
            self._ready.set()
            await self._stop.wait()

    def _complete_setup(self, index: int) -> bool:
        if self.setup_delay_s:  # blocks the stand-in briefly: makes "connecting" observable
            time.sleep(self.setup_delay_s)
        return True

    def start(self) -> ThreadedStandin:
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("Live-API stand-in did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    @property
    def connections(self) -> list[StandinConnection]:
        return self.server.connections if self.server else []


async def _hold(conn: StandinConnection) -> None:
    await conn.hold()


async def wait_threading_event(event: threading.Event, timeout: float) -> bool:
    """Wait in the stand-in's loop for a flag the test (another thread) sets."""
    return await asyncio.to_thread(event.wait, timeout)


def pcm24k_tone(seconds: float, freq: float = 220.0, amp: float = 0.25) -> bytes:
    """AI voice stand-in: a 24 kHz PCM16 tone (the rate Gemini speaks)."""
    n = int(24_000 * seconds)
    return b"".join(struct.pack("<h", int(amp * 32767 * math.sin(2 * math.pi * freq * i / 24_000))) for i in range(n))


@dataclass
class CallRecorder:
    """Every relay-socket frame the page sent and received, decoded with the Python codec."""

    sent: list[tuple[float, pb.ClientToServerMessage]] = field(default_factory=list)
    received: list[tuple[float, pb.ServerToClientMessage]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    closed: int = 0

    def attach(self, page) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        if "/ws/interview/" not in ws.url:
            return
        self.urls.append(ws.url)
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)
        ws.on("close", lambda _ws: setattr(self, "closed", self.closed + 1))

    def _sent(self, payload) -> None:
        assert isinstance(payload, bytes), f"text frame sent to the relay: {payload!r}"
        msg = pb.ClientToServerMessage()
        msg.ParseFromString(payload)
        self.sent.append((time.monotonic(), msg))

    def _received(self, payload) -> None:
        assert isinstance(payload, bytes), f"text frame from the relay: {payload!r}"
        msg = pb.ServerToClientMessage()
        msg.ParseFromString(payload)
        self.received.append((time.monotonic(), msg))

    def received_of(self, kind: str) -> list[pb.ServerToClientMessage]:
        return [m for _, m in self.received if m.WhichOneof("payload") == kind]

    def audio_chunks(self) -> list[tuple[float, bytes]]:
        return [(t, m.audio_chunk.audio_content) for t, m in self.sent if m.WhichOneof("payload") == "audio_chunk"]


def launch_browser(playwright, *, wav: Path | None, grant_media: bool = True):
    return playwright.chromium.launch(
        executable_path=browser_support.chromium_path(),
        args=browser_support.chromium_args(wav, grant_media=grant_media),
    )


def new_page(browser, server: AppServer):
    context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 860})
    context.set_default_timeout(20_000)
    return context, context.new_page()


def make_candidate_and_interview(
    role: str = "Backend engineer", interview_type: str = "behavioural"
) -> tuple[str, str]:
    """A user who can sign in and a PENDING interview in the server's database (call with
    ``gemini_db`` or ``app_db``); returns the email and the interview id."""
    from preppal.services.interviews import lifecycle

    user = make_user(password=PASSWORD, name="Ada Candidate")
    interview = lifecycle.create_interview(user.id, interview_type=interview_type, role=role)
    return user.email, interview.id


def make_candidate() -> str:
    """A user who can sign in, in the server's database; returns the email."""
    return make_user(password=PASSWORD, name="Ada Candidate").email


def create_interview_in_ui(page, email: str, role: str) -> str:
    """Sign in on the way to the dashboard, create an interview there, open its meeting page."""
    page.goto("/dashboard")
    page.wait_for_url("**/sign-in?**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") == "/dashboard")
    page.get_by_role("textbox", name="Role").fill(role)
    page.get_by_role("button", name="Create interview").click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/").count("/") == 2 and "/interview/" in url)
    interview_id = urlparse(page.url).path.rstrip("/").split("/")[2]
    page.get_by_role("link", name="Start interview").click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") == f"/interview/{interview_id}/live")
    return interview_id


def open_meeting(page, email: str, interview_id: str) -> None:
    """Open the meeting page signed out: sign in on the way, land back on the page."""
    page.goto(f"/interview/{interview_id}/live")
    page.wait_for_url("**/sign-in?**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") == f"/interview/{interview_id}/live")


def screenshot(page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def phase_text(page) -> str:
    return page.get_by_test_id("phase").inner_text().strip()


def call_debug(page) -> dict:
    """The page's call record (playback worklet counts, sockets opened): only for what the
    candidate hears or cannot see; what is on screen is checked with ``expect``."""
    return page.evaluate("() => window.__preppalCall || {}")


# The speaker labels the candidate reads on each transcript row.
YOU, INTERVIEWER = "You", "Interviewer"


def rows(page: Page, speaker: str = "", *, final: bool = False, saying: str | re.Pattern[str] | None = None) -> Locator:
    """Transcript rows as the candidate sees them, optionally only ``speaker``'s (the row's
    label, YOU or INTERVIEWER), only final ones (interim rows are in italics) and only those
    whose words contain ``saying`` (a string: case-insensitive; a regex: searched)."""
    found = page.get_by_test_id("turn")
    if speaker:
        found = found.filter(has=page.get_by_text(speaker, exact=True))
    if final:
        found = found.and_(page.locator('[data-final="true"]'))
    return found if saying is None else found.filter(has=page.get_by_test_id("turn-text").filter(has_text=saying))


def rows_after(row: Locator, speaker: str, *, saying: str | re.Pattern[str] | None = None) -> Locator:
    """``speaker``'s rows below ``row`` in the transcript (said after it), optionally only
    those whose words contain ``saying``."""
    page = row.page
    later = row.locator('xpath=following-sibling::*[@data-testid="turn"]')
    later = later.filter(has=page.get_by_text(speaker, exact=True))
    return later if saying is None else later.filter(has=page.get_by_test_id("turn-text").filter(has_text=saying))


def words(row: Locator) -> Locator:
    """A row's words without its speaker label (for text expectations on what was said)."""
    return row.get_by_test_id("turn-text")


def at_least_words(n: int) -> re.Pattern[str]:
    """Text of ``n`` or more words (for ``to_have_text`` or ``saying``: a regex is searched)."""
    return re.compile(r"\S+" + r"\s+\S+" * (n - 1))


def poll_until(
    page, predicate: Callable[[], object], timeout: float = 20.0, what: str | Callable[[], str] = ""
) -> object:
    """Poll for state the page does not show (frames on the relay socket, the stand-in's
    inbox, database rows, a server log): what is on screen is waited for with ``expect``.

    Polls through Playwright (page.wait_for_timeout), so its events keep being delivered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what or predicate}")
