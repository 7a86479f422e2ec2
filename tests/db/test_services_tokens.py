"""Worker tokens: who may mint one, and which tokens verification must refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from preppal.models import InterviewStatus
from preppal.services.errors import Conflict, NotFound
from preppal.services.interviews import lifecycle, worker_tokens
from preppal.services.interviews.worker_tokens import TokenError
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings
from tests.support.users import make_user


@pytest.fixture
def setup(db):
    alice = make_user().id
    bob = make_user().id
    interview = lifecycle.create_interview(alice, interview_type="behavioural", role="PM")
    return alice, bob, interview.id


def test_owner_of_pending_interview_gets_a_five_minute_token(setup) -> None:
    alice, _, interview_id = setup
    token = worker_tokens.generate_worker_token(alice, interview_id)
    claims = worker_tokens.verify_worker_token(token, interview_id)
    assert claims.user_id == alice and claims.interview_id == interview_id and claims.jti
    ttl = (claims.expires_at - datetime.now(UTC)).total_seconds()
    assert 280 < ttl <= 300
    raw = jwt.decode(token, options={"verify_signature": False})
    assert raw["userId"] == alice and raw["interviewId"] == interview_id


def test_non_owner_cannot_mint(setup) -> None:
    _, bob, interview_id = setup
    with pytest.raises(NotFound):
        worker_tokens.generate_worker_token(bob, interview_id)


@pytest.mark.parametrize(
    "path",
    [[InterviewStatus.IN_PROGRESS], [InterviewStatus.ERROR], [InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED]],
)
def test_only_pending_interviews_get_tokens(setup, path) -> None:
    alice, _, interview_id = setup
    for status in path:
        lifecycle.update_status(interview_id, status)
    with pytest.raises(Conflict):
        worker_tokens.generate_worker_token(alice, interview_id)


@pytest.mark.parametrize(
    ("path", "ended"),
    [([], False), ([InterviewStatus.ERROR], True), ([InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED], True)],
)
def test_refusal_says_why_without_a_second_lookup(setup, path, ended) -> None:
    """The call page tells "already ended" from other refusals by the exception alone."""
    alice, _, interview_id = setup
    for status in path:
        lifecycle.update_status(interview_id, status)
    with pytest.raises(worker_tokens.MintRefused) as refused:
        worker_tokens.generate_worker_token(alice, interview_id, resume=True)
    assert refused.value.ended is ended and refused.value.http_status == 409
    assert refused.value.status == (path[-1] if path else InterviewStatus.PENDING)


def test_status_decides_connect_or_resume_when_asked_to(setup) -> None:
    alice, _, interview_id = setup
    first = worker_tokens.verify_worker_token(
        worker_tokens.generate_worker_token(alice, interview_id, resume=None), interview_id
    )
    lifecycle.update_status(interview_id, InterviewStatus.IN_PROGRESS)
    again = worker_tokens.verify_worker_token(
        worker_tokens.generate_worker_token(alice, interview_id, resume=None), interview_id
    )
    assert (first.purpose, again.purpose) == (worker_tokens.PURPOSE_CONNECT, worker_tokens.PURPOSE_RESUME)


def test_unknown_interview(setup) -> None:
    with pytest.raises(NotFound):
        worker_tokens.generate_worker_token(setup[0], "00000000-0000-0000-0000-000000000000")


def _claims(alice: int, interview_id: str, **over) -> dict:
    now = datetime.now(UTC)
    base = {
        "userId": alice,
        "interviewId": interview_id,
        "jti": "j1",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "aud": worker_tokens.AUDIENCE,
    }
    base.update(over)
    return base


def test_expired_token_rejected(setup) -> None:
    alice, _, interview_id = setup
    token = jwt.encode(
        _claims(alice, interview_id, exp=datetime.now(UTC) - timedelta(seconds=5)),
        get_settings().secret_key,
        algorithm="HS256",
    )
    with pytest.raises(TokenError, match="expired"):
        worker_tokens.verify_worker_token(token, interview_id)


def test_tampered_token_rejected(setup) -> None:
    alice, _, interview_id = setup
    good = worker_tokens.generate_worker_token(alice, interview_id)
    header, payload, signature = good.split(".")
    # Re-encode the payload for another user but keep the original signature.
    forged_payload = jwt.encode(_claims(999, interview_id), "x" * 32, algorithm="HS256").split(".")[1]
    with pytest.raises(TokenError):
        worker_tokens.verify_worker_token(f"{header}.{forged_payload}.{signature}", interview_id)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(TokenError):
        worker_tokens.verify_worker_token(f"{header}.{payload}.{flipped}", interview_id)
    with pytest.raises(TokenError):  # signed with another key
        worker_tokens.verify_worker_token(
            jwt.encode(_claims(alice, interview_id), "not-the-key" * 4, algorithm="HS256"), interview_id
        )
    with pytest.raises(TokenError):  # alg=none
        worker_tokens.verify_worker_token(
            jwt.encode(_claims(alice, interview_id), None, algorithm="none"), interview_id
        )


def test_token_for_another_interview_rejected(setup) -> None:
    alice, _, interview_id = setup
    other = lifecycle.create_interview(alice, interview_type="technical", role="SRE").id
    token = worker_tokens.generate_worker_token(alice, interview_id)
    with pytest.raises(TokenError, match="another interview"):
        worker_tokens.verify_worker_token(token, other)


def test_token_is_single_use(setup) -> None:
    alice, _, interview_id = setup
    claims = worker_tokens.verify_worker_token(worker_tokens.generate_worker_token(alice, interview_id), interview_id)
    worker_tokens.consume_worker_token(claims)
    with pytest.raises(TokenError):
        worker_tokens.consume_worker_token(claims)


def _spent_rows(interview_id: str | None = None) -> list[str]:
    from sqlmodel import select

    from preppal.db import session_scope
    from preppal.models import UsedWorkerToken

    with session_scope() as session:
        query = select(UsedWorkerToken.jti)
        if interview_id:
            query = query.where(UsedWorkerToken.interview_id == interview_id)
        return list(session.exec(query))


def _spend(alice: int, interview_id: str, expires: datetime) -> str:
    claims = worker_tokens.verify_worker_token(worker_tokens.generate_worker_token(alice, interview_id), interview_id)
    claims = worker_tokens.WorkerClaims(**{**claims.__dict__, "expires_at": expires})
    worker_tokens.consume_worker_token(claims)
    return claims.jti


async def test_housekeeping_forgets_spent_tokens_once_they_expired(setup, monkeypatch) -> None:
    """Issue 22: one UsedWorkerToken row per relay connection was kept forever. The existing
    once-a-minute housekeeping task drops those of expired tokens (refused on ``exp`` anyway)."""
    import asyncio

    from preppal import tasks

    alice, _, interview_id = setup
    now = datetime.now(UTC)
    old = _spend(alice, interview_id, now - timedelta(minutes=5))
    fresh = _spend(alice, interview_id, now + timedelta(minutes=5))
    just_expired = _spend(alice, interview_id, now - timedelta(seconds=5))  # clocks may differ: kept a while

    class OneRound(Exception):
        pass

    real_sleep = asyncio.sleep

    async def one_round(delay, *args):
        if delay == tasks.PURGE_EVERY_S:
            raise OneRound
        await real_sleep(delay, *args)

    monkeypatch.setattr(asyncio, "sleep", one_round)
    with pytest.raises(OneRound):
        await tasks.purge_rate_limits()
    assert sorted(_spent_rows()) == sorted([fresh, just_expired]) and old not in _spent_rows()


def test_deleting_an_interview_deletes_its_spent_tokens(setup) -> None:
    alice, _, interview_id = setup
    other = lifecycle.create_interview(alice, interview_type="technical", role="SRE").id
    _spend(alice, interview_id, datetime.now(UTC) + timedelta(minutes=5))
    kept = _spend(alice, other, datetime.now(UTC) + timedelta(minutes=5))
    lifecycle.update_status(interview_id, InterviewStatus.ERROR)
    lifecycle.delete_interview(alice, interview_id, open_store(get_settings()))
    assert _spent_rows(interview_id) == [] and _spent_rows(other) == [kept]
