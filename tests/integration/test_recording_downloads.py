"""Recording downloads under load (issue 22): they run on their own bounded pool, so a flood
of slow downloads never holds up the relay's database work or a page's service call, and
each user (and the process) may hold only so many streams open at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest

from preppal.api.app import build_api
from preppal.models import Speaker
from preppal.realtime.hub import RelayHub
from preppal.realtime.transcript import TranscriptWriter
from preppal.services.accounts import auth
from preppal.services.input_limits import DOWNLOADS_PER_USER
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.pools import call_service
from preppal.services.recordings.store import LocalStore
from tests.support.users import make_user

BASE = "http://preppal.test"
USERS = 12  # x DOWNLOADS_PER_USER streams: far more than any pool has threads


class StalledStore(LocalStore):
    """Every recording exists (64 KiB); reading it waits for ``gate`` (storage that hangs)."""

    def __init__(self, root) -> None:
        super().__init__(root)
        self.gate = threading.Event()
        self.waiting = 0
        self._lock = threading.Lock()

    def size(self, interview_id: str, name: str) -> int:
        return 65_536

    def read(self, interview_id: str, name: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with self._lock:
            self.waiting += 1
        self.gate.wait(30)
        yield b"O" * ((65_535 if end is None else end) - start + 1)


@pytest.fixture
def people(db):
    out = []
    for _ in range(USERS):
        user = make_user()
        interview = lifecycle.create_interview(user.id, interview_type="technical", role="Backend")
        out.append((auth.create_login_session(user.id), interview.id))
    return out


async def _download(client: httpx.AsyncClient, token: str, interview_id: str) -> httpx.Response:
    return await client.get(
        f"/api/interview/{interview_id}/recording.ogg",
        headers={"cookie": f"{auth.SESSION_COOKIE}={token}", "range": "bytes=0-1023"},
    )


async def test_stalled_downloads_never_hold_up_relay_writes_or_pages(people, tmp_path) -> None:
    """With 60–120 ms of S3 latency, 1,000 parallel Range requests delayed a lease renewal by
    20 s: downloads and the relay shared the default executor. Here storage hangs outright
    while every pool a download could use is full; the relay's transcript write and a page's
    service call must still go through (a deadlock detector, not a timing goal)."""
    store = StalledStore(tmp_path)
    transport = httpx.ASGITransport(app=build_api(RelayHub(), store))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=60) as client:
        downloads = [
            asyncio.create_task(_download(client, token, iid))
            for token, iid in people
            for _ in range(DOWNLOADS_PER_USER)
        ]
        for _ in range(200):  # until the stalled reads hold their threads
            if store.waiting >= 8:
                break
            await asyncio.sleep(0.05)
        assert store.waiting >= 8
        try:
            written = asyncio.Event()

            class Writer(TranscriptWriter):
                def _save(self, line) -> None:
                    super()._save(line)
                    written.set()

            writer = Writer(people[0][1])
            writer.start()
            writer.put(TranscriptLine(1, Speaker.USER, "still saved", 0, 100))
            await asyncio.wait_for(written.wait(), 10)
            await writer.drain()
            assert await asyncio.wait_for(call_service(transcripts.get_transcript, people[0][1]), 10)
        finally:
            store.gate.set()
        answers = await asyncio.gather(*downloads)
    assert {r.status_code for r in answers} <= {206, 503}
    assert sum(r.status_code == 206 for r in answers) >= 8


async def test_each_user_may_hold_only_a_few_downloads_open(people, tmp_path) -> None:
    store = StalledStore(tmp_path)
    token, iid = people[0]
    other_token, other_iid = people[1]
    transport = httpx.ASGITransport(app=build_api(RelayHub(), store))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=60) as client:
        held = [asyncio.create_task(_download(client, token, iid)) for _ in range(DOWNLOADS_PER_USER)]
        for _ in range(200):
            if store.waiting >= DOWNLOADS_PER_USER:
                break
            await asyncio.sleep(0.05)
        try:
            extra = await _download(client, token, iid)
            assert extra.status_code == 429 and extra.headers["retry-after"] == "1"
            assert "at once" in extra.text
            someone_else = asyncio.create_task(_download(client, other_token, other_iid))
            await asyncio.sleep(0.2)
            assert not someone_else.done() or someone_else.result().status_code == 206  # not refused
        finally:
            store.gate.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [206] * DOWNLOADS_PER_USER
        assert (await someone_else).status_code == 206
        again = await _download(client, token, iid)  # the slots came back
        assert again.status_code == 206 and len(again.content) == 1024
