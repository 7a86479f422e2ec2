"""The JSON interview API over real HTTP routing (ASGI): every endpoint's auth matrix."""

from __future__ import annotations

import httpx
import pytest

from preppal.api.app import build_api
from preppal.models import InterviewStatus
from preppal.realtime.hub import RelayHub
from preppal.services.accounts import auth
from preppal.services.interviews import lifecycle, transcripts, worker_tokens
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings
from tests.support.users import make_user

BASE = "http://preppal.test"
TOKEN = "/api/interview/generateWorkerToken"
STATUS = "/api/interview/updateStatus"
SUBMIT = "/api/interview/submitTranscript"


@pytest.fixture
def world(db):
    alice = make_user().id
    bob = make_user().id
    interview = lifecycle.create_interview(alice, interview_type="technical", role="Backend")
    return {
        "alice": alice,
        "interview": interview.id,
        "alice_cookie": {auth.SESSION_COOKIE: auth.create_login_session(alice)},
        "bob_cookie": {auth.SESSION_COOKIE: auth.create_login_session(bob)},
        "secret": {"Authorization": f"Bearer {get_settings().worker_secret}"},
        "wrong_secret": {"Authorization": f"Bearer {get_settings().worker_secret}x"},
    }


@pytest.fixture
async def client():
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_api(RelayHub(), open_store(get_settings()))), base_url=BASE
    ) as c:
        yield c


async def _post(client, path, body, cookies=None, headers=None):
    client.cookies.clear()
    for name, value in (cookies or {}).items():
        client.cookies.set(name, value)
    return await client.post(path, json=body, headers=headers or {})


def _status(world) -> InterviewStatus:
    return lifecycle.get_interview(world["alice"], world["interview"]).status


# ---- generateWorkerToken: session only --------------------------------------------------


async def test_token_no_auth(world, client) -> None:
    r = await _post(client, TOKEN, {"interviewId": world["interview"]})
    assert r.status_code == 401 and r.json()["error"]


async def test_token_wrong_user(world, client) -> None:
    r = await _post(client, TOKEN, {"interviewId": world["interview"]}, cookies=world["bob_cookie"])
    assert r.status_code == 404 and "does not exist" in r.json()["error"]


async def test_token_secret_is_not_a_user(world, client) -> None:
    r = await _post(client, TOKEN, {"interviewId": world["interview"]}, headers=world["secret"])
    assert r.status_code == 401


async def test_token_owner_gets_verifiable_token(world, client) -> None:
    r = await _post(client, TOKEN, {"interviewId": world["interview"]}, cookies=world["alice_cookie"])
    assert r.status_code == 200
    claims = worker_tokens.verify_worker_token(r.json()["token"], world["interview"])
    assert claims.user_id == world["alice"]


async def test_token_refused_once_started(world, client) -> None:
    lifecycle.update_status(world["interview"], InterviewStatus.IN_PROGRESS)
    r = await _post(client, TOKEN, {"interviewId": world["interview"]}, cookies=world["alice_cookie"])
    assert r.status_code == 409


async def test_token_expired_session_cookie(world, client) -> None:
    auth.end_login_session(world["alice_cookie"][auth.SESSION_COOKIE])
    r = await _post(client, TOKEN, {"interviewId": world["interview"]}, cookies=world["alice_cookie"])
    assert r.status_code == 401


# ---- updateStatus: session (own) or worker secret --------------------------------------


async def test_status_no_auth(world, client) -> None:
    r = await _post(client, STATUS, {"interviewId": world["interview"], "status": "IN_PROGRESS"})
    assert r.status_code == 401 and _status(world) == InterviewStatus.PENDING


async def test_status_wrong_user(world, client) -> None:
    body = {"interviewId": world["interview"], "status": "ERROR"}
    r = await _post(client, STATUS, body, cookies=world["bob_cookie"])
    assert r.status_code == 404 and _status(world) == InterviewStatus.PENDING


async def test_status_wrong_secret_does_not_fall_back_to_cookie(world, client) -> None:
    body = {"interviewId": world["interview"], "status": "IN_PROGRESS"}
    r = await _post(client, STATUS, body, cookies=world["alice_cookie"], headers=world["wrong_secret"])
    assert r.status_code == 401 and _status(world) == InterviewStatus.PENDING


async def test_status_right_secret_then_illegal_move(world, client) -> None:
    r = await _post(
        client, STATUS, {"interviewId": world["interview"], "status": "IN_PROGRESS"}, headers=world["secret"]
    )
    assert r.status_code == 200 and r.json() == {"interviewId": world["interview"], "status": "IN_PROGRESS"}
    again = await _post(
        client, STATUS, {"interviewId": world["interview"], "status": "IN_PROGRESS"}, headers=world["secret"]
    )
    assert again.status_code == 409
    ended = await _post(
        client,
        STATUS,
        {"interviewId": world["interview"], "status": "ERROR", "endedAt": "2026-11-22T03:00:00Z"},
        headers=world["secret"],
    )
    assert ended.status_code == 200 and _status(world) == InterviewStatus.ERROR
    stored = lifecycle.get_interview(world["alice"], world["interview"])
    assert stored.ended_at.isoformat().startswith("2026-11-22T03:00:00")


async def test_status_owner_session(world, client) -> None:
    body = {"interviewId": world["interview"], "status": "IN_PROGRESS"}
    r = await _post(client, STATUS, body, cookies=world["alice_cookie"])
    assert r.status_code == 200 and _status(world) == InterviewStatus.IN_PROGRESS


def _relay_holds(world, owner: str = "relay-a", ttl_s: float = 15.0) -> None:
    """The interview is live on a relay process with a fresh lease (as the relay takes it)."""
    lifecycle.update_status(
        world["interview"], InterviewStatus.IN_PROGRESS, expected=InterviewStatus.PENDING, lease=(owner, ttl_s)
    )


@pytest.mark.parametrize("who", ["secret", "alice_cookie"])
async def test_status_cannot_end_an_interview_a_live_relay_holds(world, client, who) -> None:
    """Issue 22: updateStatus COMPLETED ignored the relay's lease; the relay's later lines and
    its final submit were refused and feedback ran on a partial transcript."""
    from datetime import timedelta

    from preppal.db import session_scope
    from preppal.models import Interview, Speaker, utcnow
    from preppal.services.interviews.transcripts import TranscriptLine

    _relay_holds(world)
    auth_kw = {"headers": world["secret"]} if who == "secret" else {"cookies": world["alice_cookie"]}
    for status in ("COMPLETED", "ERROR"):
        r = await _post(client, STATUS, {"interviewId": world["interview"], "status": status}, **auth_kw)
        assert r.status_code == 409 and "relay" in r.json()["error"], r.text
    assert _status(world) == InterviewStatus.IN_PROGRESS
    line = TranscriptLine(1, Speaker.USER, "the relay's later line", 0, 100)
    transcripts.append_transcript_line(world["interview"], line, owner="relay-a")  # still its interview
    if who == "secret":  # submitTranscript is the worker secret's too
        body = {"interviewId": world["interview"], "transcript": [{"speaker": "USER", "text": "partial"}]}
        r = await _post(client, SUBMIT, body, headers=world["secret"])
        assert r.status_code == 409 and _status(world) == InterviewStatus.IN_PROGRESS
    transcripts.submit_transcript(world["interview"], [line], end_reason="USER_INITIATED", owner="relay-a")
    assert _status(world) == InterviewStatus.COMPLETED

    other = lifecycle.create_interview(world["alice"], interview_type="technical", role="SRE").id
    world = {**world, "interview": other}
    _relay_holds(world)
    with session_scope() as session:  # the relay died: its lease expires, then the API may end it
        session.get(Interview, other).lease_until = utcnow() - timedelta(seconds=1)
    r = await _post(client, STATUS, {"interviewId": other, "status": "ERROR"}, **auth_kw)
    assert r.status_code == 200 and _status(world) == InterviewStatus.ERROR


@pytest.mark.parametrize("status", ["PENDING", "DONE", "", None])
async def test_status_value_checked(world, client, status) -> None:
    body = {"interviewId": world["interview"], "status": status}
    r = await _post(client, STATUS, body, headers=world["secret"])
    assert r.status_code == 422 and _status(world) == InterviewStatus.PENDING


async def test_cookie_calls_need_json_content_type(world, client) -> None:
    """A cross-site HTML form cannot send application/json: that is the CSRF guard."""
    client.cookies.set(auth.SESSION_COOKIE, world["alice_cookie"][auth.SESSION_COOKIE])
    r = await client.post(STATUS, data={"interviewId": world["interview"], "status": "ERROR"})
    assert r.status_code == 422 and _status(world) == InterviewStatus.PENDING


# ---- submitTranscript: worker secret only ----------------------------------------------


def _transcript_body(world) -> dict:
    return {
        "interviewId": world["interview"],
        "endedAt": "2026-11-22T03:10:00+00:00",
        "transcript": [
            {"speaker": "AI", "text": "Tell me about a hard bug."},
            {"speaker": "USER", "text": "A race in our billing job.", "startMs": 4000, "endMs": 9000},
        ],
    }


async def test_submit_no_auth(world, client) -> None:
    lifecycle.update_status(world["interview"], InterviewStatus.IN_PROGRESS)
    r = await _post(client, SUBMIT, _transcript_body(world))
    assert r.status_code == 401 and _status(world) == InterviewStatus.IN_PROGRESS


async def test_submit_refuses_even_the_owner_session(world, client) -> None:
    lifecycle.update_status(world["interview"], InterviewStatus.IN_PROGRESS)
    r = await _post(client, SUBMIT, _transcript_body(world), cookies=world["alice_cookie"])
    assert r.status_code == 401 and transcripts.get_transcript(world["interview"]) == []


async def test_submit_wrong_secret(world, client) -> None:
    lifecycle.update_status(world["interview"], InterviewStatus.IN_PROGRESS)
    r = await _post(client, SUBMIT, _transcript_body(world), headers=world["wrong_secret"])
    assert r.status_code == 401 and _status(world) == InterviewStatus.IN_PROGRESS


async def test_submit_right_secret_is_atomic_and_idempotent(world, client) -> None:
    lifecycle.update_status(world["interview"], InterviewStatus.IN_PROGRESS)
    first = await _post(client, SUBMIT, _transcript_body(world), headers=world["secret"])
    assert first.status_code == 200 and first.json()["status"] == "COMPLETED"
    retry = await _post(client, SUBMIT, _transcript_body(world), headers=world["secret"])
    assert retry.status_code == 200
    lines = transcripts.get_transcript(world["interview"])
    assert [(e.speaker, e.text, e.start_ms) for e in lines] == [
        ("AI", "Tell me about a hard bug.", 0),
        ("USER", "A race in our billing job.", 4000),
    ]


async def test_submit_unknown_interview(world, client) -> None:
    body = {**_transcript_body(world), "interviewId": "nope"}
    r = await _post(client, SUBMIT, body, headers=world["secret"])
    assert r.status_code == 404


async def test_submit_malformed_entries(world, client) -> None:
    lifecycle.update_status(world["interview"], InterviewStatus.IN_PROGRESS)
    body = {**_transcript_body(world), "transcript": [{"speaker": "ROBOT", "text": "hi"}]}
    r = await _post(client, SUBMIT, body, headers=world["secret"])
    assert r.status_code == 422 and _status(world) == InterviewStatus.IN_PROGRESS


async def test_openapi_describes_the_three_calls(client) -> None:
    r = await client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert set(spec["paths"]) == {TOKEN, STATUS, SUBMIT}
    assert spec["paths"][SUBMIT]["post"]["security"] == [{"workerSecret": []}]
    assert spec["paths"][TOKEN]["post"]["security"] == [{"session": []}]
    assert spec["paths"][STATUS]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"][
        "status"
    ]["enum"] == ["IN_PROGRESS", "COMPLETED", "ERROR"]
