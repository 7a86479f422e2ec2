"""Issue 9 over real ASGI routing: bodies capped before they are read, small forms, login
CSRF refused, submitTranscript validated field by field, per-user caps and rate limits."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote_plus

import httpx
import pytest

from preppal.api.app import build_api
from preppal.api.body_limit import BodyLimitMiddleware
from preppal.models import InterviewStatus
from preppal.realtime.hub import RelayHub
from preppal.services import rate_limit
from preppal.services.accounts import auth
from preppal.services.errors import AlreadyLive, TooManyRequests
from preppal.services.input_limits import FORM_BODY_BYTES, TRANSCRIPT_BODY_BYTES
from preppal.services.interviews import lifecycle
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings, reset_settings
from tests.support.users import make_user

BASE = "http://localhost:3000"  # the default PREPPAL_PUBLIC_URL: our own origin
PASSWORD = "Correct-horse-1"
SUBMIT = "/api/interview/submitTranscript"


@pytest.fixture
async def client(db):
    transport = httpx.ASGITransport(
        app=build_api(RelayHub(), open_store(get_settings())), client=("198.51.100.7", 5555)
    )
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        yield c


# ---- bodies ---------------------------------------------------------------------------


async def test_declared_oversize_body_is_refused_unread(client) -> None:
    """Issue 9: the sign-up form accepted 64 MiB files and dozens of 1 MiB fields."""
    big = {"email": "ada@example.com", "password": PASSWORD, "name": "x" * (FORM_BODY_BYTES + 1)}
    r = await client.post("/api/auth/sign-up", data=big)
    assert r.status_code == 413 and "too large" in r.text
    assert await asyncio.to_thread(interviews_count_users) == 0


async def test_streamed_body_without_length_is_cut_at_the_cap(db) -> None:
    """A chunked body (no Content-Length) is counted while it streams: 413 at the cap."""
    seen: list[int] = []

    async def app(scope, receive, send):
        total = 0
        while True:
            message = await receive()
            total += len(message.get("body", b""))
            seen.append(total)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    chunks = iter([b"x" * 40_000] * 10)

    async def receive():
        try:
            return {"type": "http.request", "body": next(chunks), "more_body": True}
        except StopIteration:
            return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/api/interview/updateStatus", "headers": [], "method": "POST"}
    await BodyLimitMiddleware(app)(scope, receive, send)
    assert sent[0]["status"] == 413 and max(seen) <= 64 * 1024
    assert sum(1 for m in sent if m["type"] == "http.response.start") == 1


async def test_reflex_upload_route_is_capped_by_the_same_middleware(client) -> None:
    """Reflex's /_upload spooled any size; the cap wraps everything mounted in our app."""
    r = await client.post("/_upload", content=b"x" * 10, headers={"content-length": str(50 * 1024 * 1024)})
    assert r.status_code == 413


async def test_json_api_body_over_its_cap_is_413(client) -> None:
    r = await client.post(
        SUBMIT,
        content=b"[" + b"0," * TRANSCRIPT_BODY_BYTES + b"0]",
        headers={"content-type": "application/json", "authorization": f"Bearer {get_settings().worker_secret}"},
    )
    assert r.status_code == 413


async def test_auth_form_takes_no_files_and_few_fields(client) -> None:
    files = {"resume": ("cv.txt", b"hello", "text/plain")}
    r = await client.post("/api/auth/sign-in", data={"email": "a@example.com", "password": "x"}, files=files)
    assert r.status_code == 400
    many = {f"f{n}": "v" for n in range(20)}
    r = await client.post("/api/auth/sign-in", data=many)
    assert r.status_code == 400


def interviews_count_users() -> int:
    from sqlmodel import func, select

    from preppal.db import session_scope
    from preppal.models import User

    with session_scope() as session:
        return session.exec(select(func.count()).select_from(User)).one()


# ---- login CSRF -------------------------------------------------------------------------


@pytest.fixture
def mallory(db):
    return make_user("mallory@example.com", password=PASSWORD)


@pytest.mark.parametrize("path", ["/api/auth/sign-in", "/api/auth/sign-up", "/api/auth/sign-out"])
@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}],
)
async def test_cross_site_form_posts_are_refused(client, mallory, path, headers) -> None:
    """Issue 9: a page on another site could post the sign-in form (login CSRF)."""
    r = await client.post(path, data={"email": "mallory@example.com", "password": PASSWORD}, headers=headers)
    assert r.status_code == 403 and auth.SESSION_COOKIE not in r.cookies


async def test_own_origin_and_extra_origins_may_post(client, mallory, monkeypatch) -> None:
    form = {"email": "mallory@example.com", "password": PASSWORD}
    ok = await client.post("/api/auth/sign-in", data=form, headers={"origin": BASE, "sec-fetch-site": "same-origin"})
    assert ok.status_code == 303 and auth.SESSION_COOKIE in ok.cookies
    monkeypatch.setenv("PREPPAL_EXTRA_ORIGINS", "https://app.example.org")
    reset_settings()
    client.cookies.clear()
    extra = await client.post("/api/auth/sign-in", data=form, headers={"origin": "https://app.example.org"})
    assert extra.status_code == 303 and auth.SESSION_COOKIE in extra.cookies


async def test_a_form_sent_before_the_page_filled_in_next_still_goes_there(client, mallory) -> None:
    """The sign-in page fills its hidden ``next`` from its state once loaded; a form sent
    before that (fast typing, a password manager) used to land on the dashboard."""
    form = {"email": "mallory@example.com", "password": PASSWORD, "next": ""}
    page = f"{BASE}/sign-in?next=%2Finterview%2Fabc%2Flive"
    headers = {"origin": BASE, "sec-fetch-site": "same-origin", "referer": page}
    r = await client.post("/api/auth/sign-in", data=form, headers=headers)
    assert r.status_code == 303 and r.headers["location"] == "/interview/abc/live"
    client.cookies.clear()
    elsewhere = {**headers, "referer": f"{BASE}/sign-in?next=https%3A%2F%2Fevil.example%2F"}
    r = await client.post("/api/auth/sign-in", data=form, headers=elsewhere)
    assert r.headers["location"] == "/dashboard"  # still only same-site paths


# ---- submitTranscript -------------------------------------------------------------------


@pytest.fixture
def live(db):
    user = make_user().id
    interview = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    return interview.id


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"speaker": "USER", "text": "hi", "startMs": 2**70}, "transcript.0.startMs"),
        ({"speaker": "USER", "text": "hi", "endMs": -5}, "transcript.0.endMs"),
        ({"speaker": "USER", "text": "hi", "sequence": 10**19}, "transcript.0.sequence"),
        ({"speaker": "ROBOT", "text": "hi"}, "transcript.0.speaker"),
        ({"speaker": "AI", "text": 42}, "transcript.0.text"),
        ({"speaker": "AI"}, "transcript.0.text"),
    ],
)
async def test_submit_transcript_names_the_bad_field(client, live, entry, field) -> None:
    """Issue 9: out-of-range numbers answered 500."""
    body = {"interviewId": live, "endedAt": "2026-01-01T00:00:00Z", "transcript": [entry]}
    headers = {"authorization": f"Bearer {get_settings().worker_secret}"}
    r = await client.post(SUBMIT, json=body, headers=headers)
    assert r.status_code == 422 and r.json()["error"].startswith(field + ":"), r.text
    assert (await asyncio.to_thread(lifecycle.get_interview_any, live)).status == InterviewStatus.IN_PROGRESS


async def test_submit_transcript_still_takes_the_seed_format(client, live) -> None:
    body = {
        "interviewId": live,
        "endedAt": "2026-01-01T00:00:00Z",
        "transcript": [{"speaker": "ai", "content": "Tell me about yourself."}, {"speaker": "USER", "text": "Sure"}],
    }
    r = await client.post(SUBMIT, json=body, headers={"authorization": f"Bearer {get_settings().worker_secret}"})
    assert r.status_code == 200 and r.json()["entries"] == 2


# ---- secrets ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Bearer ", "Bearer  ", "Bearer \t"])
async def test_blank_bearer_never_passes(client, live, header, monkeypatch) -> None:
    """Issue 9: PREPPAL_WORKER_SECRET set but blank made ``Bearer `` a valid worker secret."""
    monkeypatch.setenv("PREPPAL_WORKER_SECRET", "")
    reset_settings()
    r = await client.post(SUBMIT, json={"interviewId": live, "transcript": []}, headers={"authorization": header})
    assert r.status_code == 401


# ---- per-user caps and rate limits ------------------------------------------------------


async def test_sign_up_is_rate_limited_per_address(client, monkeypatch) -> None:
    monkeypatch.setenv("PREPPAL_SIGNUPS_PER_HOUR", "3")
    reset_settings()
    for n in range(3):
        r = await client.post("/api/auth/sign-up", data={"email": f"u{n}@example.com", "password": PASSWORD})
        assert auth.SESSION_COOKIE in r.cookies
        client.cookies.clear()
    r = await client.post("/api/auth/sign-up", data={"email": "u9@example.com", "password": PASSWORD})
    assert "Too many accounts" in unquote_plus(r.headers["location"]) and auth.SESSION_COOKIE not in r.cookies


def _mint_until_refused(limit: int) -> tuple[str, str, TooManyRequests | None]:
    from preppal.services.interviews import worker_tokens

    user = make_user().id
    interview = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    for _ in range(limit):
        worker_tokens.generate_worker_token(user, interview.id)
    try:
        worker_tokens.generate_worker_token(user, interview.id)
        refused = None
    except TooManyRequests as exc:
        refused = exc
    return interview.id, auth.create_login_session(user), refused


async def test_token_minting_is_rate_limited_per_user(client, db, monkeypatch) -> None:
    monkeypatch.setenv("PREPPAL_TOKENS_PER_MINUTE", "4")
    reset_settings()
    interview_id, cookie, refused = await asyncio.to_thread(_mint_until_refused, 4)
    assert refused is not None and refused.http_status == 429 and refused.retry_after_s >= 1
    client.cookies.set(auth.SESSION_COOKIE, cookie)
    r = await client.post("/api/interview/generateWorkerToken", json={"interviewId": interview_id})
    assert r.status_code == 429 and "Too many connection attempts" in r.json()["error"]


def test_interview_creation_is_rate_limited_per_user(db, monkeypatch) -> None:
    monkeypatch.setenv("PREPPAL_INTERVIEWS_PER_HOUR", "2")
    reset_settings()
    user, other = make_user().id, make_user().id
    for _ in range(2):
        lifecycle.create_interview(user, interview_type="technical", role="Backend")
    with pytest.raises(TooManyRequests):
        lifecycle.create_interview(user, interview_type="technical", role="Backend")
    lifecycle.create_interview(other, interview_type="technical", role="Backend")  # per user


def test_rate_limit_windows_roll_over_and_purge(db) -> None:
    rate = rate_limit.Rate("t", 2, 60, "Slow down.")
    rate_limit.hit(rate, "s", now=120.0)
    rate_limit.hit(rate, "s", now=130.0)
    with pytest.raises(TooManyRequests, match=r"Slow down. Try again in 50 s."):
        rate_limit.hit(rate, "s", now=130.0)
    rate_limit.hit(rate, "s", now=181.0)  # the next window
    assert rate_limit.purge_expired() >= 2


async def test_rate_limit_holds_under_parallel_hits(db) -> None:
    rate = rate_limit.Rate("p", 5, 3600, "Slow down.")
    results = await asyncio.gather(
        *(asyncio.to_thread(_try_hit, rate) for _ in range(30)),
    )
    assert results.count(True) == 5


def _try_hit(rate) -> bool:
    try:
        rate_limit.hit(rate, "same-user", now=1000.0)
        return True
    except TooManyRequests:
        return False


def test_second_live_interview_is_refused_at_token_time(db) -> None:
    from preppal.services.interviews import worker_tokens

    user = make_user().id
    first = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    second = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    lifecycle.update_status(first.id, InterviewStatus.IN_PROGRESS)
    with pytest.raises(AlreadyLive, match="another interview in progress"):
        worker_tokens.generate_worker_token(user, second.id)
    with pytest.raises(AlreadyLive):
        lifecycle.update_status(second.id, InterviewStatus.IN_PROGRESS, expected=InterviewStatus.PENDING)
    worker_tokens.generate_worker_token(user, first.id, resume=True)  # rejoining the live one is fine
