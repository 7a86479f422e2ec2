"""Property-based fuzzing of the HTTP surface: the auth form posts and the JSON API answer
every input with a deliberate status (never 500), and nothing crashes the app. Bounded for
the suite (a few hundred cases per property)."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preppal.api.app import build_api
from preppal.models import InterviewStatus
from preppal.realtime.hub import RelayHub
from preppal.services.accounts import auth
from preppal.services.interviews import lifecycle
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE = "http://localhost:3000"

text = st.text(max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
    max_leaves=20,
)
origins = st.sampled_from([None, BASE, "https://evil.example", "null", ""])
fetch_sites = st.sampled_from([None, "same-origin", "cross-site", "same-site", "none"])


@pytest.fixture
def world(db):
    user = auth.sign_up("fuzz@example.com", "Correct-horse-1").id
    interview = lifecycle.create_interview(user, interview_type="technical", role="Backend")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    return {"user": user, "interview": interview.id, "cookie": auth.create_login_session(user)}


async def _send(method: str, path: str, cookies: dict[str, str] | None = None, **kwargs) -> httpx.Response:
    transport = httpx.ASGITransport(app=build_api(RelayHub(), open_store(get_settings())), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url=BASE, cookies=cookies or {}) as client:
        return await client.request(method, path, **kwargs)


def _request(method: str, path: str, **kwargs) -> httpx.Response:
    return asyncio.run(_send(method, path, **kwargs))


form_keys = st.sampled_from(["email", "password", "name", "next"]) | st.text(max_size=20)


@settings(FUZZ, max_examples=60)  # each sign-in costs an Argon2 hash
@given(
    path=st.sampled_from(["/api/auth/sign-in", "/api/auth/sign-up", "/api/auth/sign-out"]),
    fields=st.dictionaries(form_keys, st.text(max_size=2000), max_size=6),
    origin=origins,
    site=fetch_sites,
)
def test_auth_forms_answer_every_input_deliberately(world, path, fields, origin, site) -> None:
    headers = {k: v for k, v in {"origin": origin, "sec-fetch-site": site}.items() if v is not None}
    r = _request("POST", path, data=fields, headers=headers)
    assert r.status_code in {303, 400, 403, 413}, (r.status_code, r.text[:200])
    if r.status_code == 303:
        r.headers["location"].encode("latin-1")  # a header any client can read


entry = st.dictionaries(
    st.sampled_from(["speaker", "text", "content", "sequence", "startMs", "endMs"]) | text, json_values, max_size=6
)


@FUZZ
@given(
    which=st.sampled_from(["generateWorkerToken", "updateStatus", "submitTranscript"]),
    body=json_values
    | st.fixed_dictionaries({"interviewId": json_values, "status": json_values, "endedAt": json_values})
    | st.fixed_dictionaries({"interviewId": json_values, "transcript": st.lists(entry, max_size=8)}),
    use_real_id=st.booleans(),
    auth_mode=st.sampled_from(["none", "cookie", "secret", "blank"]),
)
def test_json_api_answers_every_body_deliberately(world, which, body, use_real_id, auth_mode) -> None:
    if use_real_id and isinstance(body, dict):
        body = {**body, "interviewId": world["interview"]}
    headers = {"content-type": "application/json"}
    cookies = {}
    if auth_mode == "secret":
        headers["authorization"] = f"Bearer {get_settings().worker_secret}"
    elif auth_mode == "blank":
        headers["authorization"] = "Bearer  "
    elif auth_mode == "cookie":
        cookies[auth.SESSION_COOKIE] = world["cookie"]
    r = _request("POST", f"/api/interview/{which}", content=json.dumps(body).encode(), headers=headers, cookies=cookies)
    assert r.status_code in {200, 400, 401, 404, 409, 413, 422, 429}, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    if auth_mode in ("none", "blank") and which == "submitTranscript":
        assert r.status_code == 401


@FUZZ
@given(raw=st.binary(max_size=2048), content_type=st.sampled_from(["application/json", "text/plain", ""]))
def test_json_api_survives_any_bytes(world, raw, content_type) -> None:
    headers = {"content-type": content_type, "authorization": f"Bearer {get_settings().worker_secret}"}
    r = _request("POST", "/api/interview/submitTranscript", content=raw, headers=headers)
    assert r.status_code in {401, 404, 409, 413, 422}, (r.status_code, r.text[:300])


# ---- header numbers: Range and Content-Length (issue 22) ---------------------------------

ASCII_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
# Digits of other scripts pass str.isdigit() and int() reads or refuses them: "²", "٣", "５".
digits = st.text(alphabet=st.sampled_from("0123456789²³¹٣५５᧐𝟗 +-_x"), max_size=22)
range_headers = st.one_of(
    st.text(max_size=40),
    st.tuples(digits, digits).map(lambda t: f"bytes={t[0]}-{t[1]}"),
    digits.map(lambda d: f"bytes={d}"),
)


@settings(FUZZ, max_examples=500)
@given(header=range_headers, size=st.integers(0, 2**40))
def test_range_parser_answers_every_header(header, size) -> None:
    from preppal.api.recording_routes import UNSATISFIABLE, parse_range
    from preppal.services.recordings.store import ByteRange

    wanted = parse_range(header, size)  # never raises
    if isinstance(wanted, ByteRange):
        assert 0 <= wanted.start <= wanted.end < size == wanted.size
    else:
        assert wanted in (None, UNSATISFIABLE)
    if wanted is not None:  # only plain ASCII numbers are read at all
        assert ASCII_RANGE.fullmatch(header.strip()[:6] + header[6:].strip()), header


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")  # "²³¹" are Latin-1 bytes a client can send as they are


@settings(FUZZ, max_examples=500)
@given(
    value=st.one_of(
        digits.map(lambda d: d.encode("utf-8", "surrogatepass")), digits.map(_latin1), st.binary(max_size=24)
    ),
    body=st.binary(max_size=64),
)
def test_content_length_parser_answers_every_value(value, body) -> None:
    """A declared length is read only when it is ASCII digits; anything else is a 413 before
    one byte is read (never a 500)."""
    from preppal.api.body_limit import BodyLimitMiddleware

    reached: list[bool] = []

    async def app(scope, receive, send):
        reached.append(True)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "path": "/api/x",
        "method": "POST",
        "headers": [(b"content-length", value)],
    }
    asyncio.run(BodyLimitMiddleware(app, default=1024)(scope, receive, send))
    status = sent[0]["status"]
    plain = value.decode("latin-1").strip()
    if plain and plain.isascii() and plain.isdigit() and len(plain) <= 18 and int(plain) <= 1024:
        assert status == 204 and reached
    else:
        assert status == 413 and not reached
