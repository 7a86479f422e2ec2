"""Worker tokens: the short-lived JWT that authorizes one WebSocket connection to the relay.

Claims: ``userId``, ``interviewId``, ``jti``, ``exp`` (5 min), ``iat``, ``purpose``
("connect", or "resume" to rejoin a live interview after a dropped network) and
``client`` — the Reflex client token of the page that asked. The relay pushes live
transcript updates only into that page, never into one named by the socket's caller.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from preppal.db import session_scope
from preppal.models import InterviewStatus, UsedWorkerToken
from preppal.services import rate_limit
from preppal.services.errors import AlreadyLive, AuthError, Conflict
from preppal.services.interviews.lifecycle import ALREADY_LIVE, get_interview, other_live_interview
from preppal.settings import get_settings

ALGORITHM = "HS256"
AUDIENCE = "preppal-relay"
PURPOSE_CONNECT = "connect"
PURPOSE_RESUME = "resume"


class TokenError(AuthError):
    """A worker token that must not open a connection (maps to close code 4001)."""


class MintRefused(Conflict):
    """No token for this interview in its current status; ``status`` says which it is, so
    the caller can tell "already ended" from "not startable" without asking again."""

    def __init__(self, status: InterviewStatus) -> None:
        self.status = status
        super().__init__(
            "This interview has already ended."
            if self.ended
            else f"This interview is {status.value.lower().replace('_', ' ')}."
        )

    @property
    def ended(self) -> bool:
        return self.status in (InterviewStatus.COMPLETED, InterviewStatus.ERROR)


@dataclass(frozen=True)
class WorkerClaims:
    user_id: int
    interview_id: str
    jti: str
    expires_at: datetime
    purpose: str
    client_token: str
    retry: bool = False  # minted for a page's automatic reconnect, not a person's Start/Rejoin


def generate_worker_token(
    user_id: int, interview_id: str, client_token: str = "", *, resume: bool | None = False, retry: bool = False
) -> str:
    """Mint a token for the owner of a PENDING interview (IN_PROGRESS when resuming).

    ``retry``: the page asks for it to reconnect by itself (not because a person pressed
    Start or Rejoin); such a token never takes the call from another page (the relay route).

    ``resume=None`` lets the interview's status decide: a PENDING one gets a connect
    token, a live one a resume token (the call page after a reload or a dropped network).
    Raises :class:`MintRefused` for any other status, ``NotFound`` for a non-owner,
    :class:`TooManyRequests` over the per-user rate, and :class:`AlreadyLive` for a first
    connect while another interview of the user is live.
    """
    rate_limit.hit(rate_limit.token_rate(), user_id)
    interview = get_interview(user_id, interview_id)  # NotFound for a non-owner
    if resume is None:
        resume = interview.status == InterviewStatus.IN_PROGRESS
    allowed = InterviewStatus.IN_PROGRESS if resume else InterviewStatus.PENDING
    if interview.status != allowed:
        raise MintRefused(InterviewStatus(interview.status))
    if not resume and other_live_interview(user_id, interview_id):
        raise AlreadyLive(ALREADY_LIVE)
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "userId": user_id,
        "interviewId": interview_id,
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + timedelta(seconds=settings.worker_token_ttl_s),
        "aud": AUDIENCE,
        "purpose": PURPOSE_RESUME if resume else PURPOSE_CONNECT,
        "client": client_token,
    }
    if retry:
        claims["retry"] = True
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def verify_worker_token(token: str, interview_id: str) -> WorkerClaims:
    """Check signature, expiry, audience and that the token names this interview."""
    if not token:
        raise TokenError("Missing token.")
    try:
        data = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "jti", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("Your session link has expired.") from None
    except jwt.PyJWTError:
        raise TokenError("Invalid token.") from None
    if data.get("interviewId") != interview_id:
        raise TokenError("This token is for another interview.")
    try:
        return WorkerClaims(
            user_id=int(data["userId"]),
            interview_id=str(data["interviewId"]),
            jti=str(data["jti"]),
            expires_at=datetime.fromtimestamp(int(data["exp"]), UTC),
            purpose=str(data.get("purpose", PURPOSE_CONNECT)),
            client_token=str(data.get("client", "")),
            retry=data.get("retry") is True,
        )
    except (KeyError, TypeError, ValueError):
        raise TokenError("Invalid token.") from None


SPENT_KEPT_AFTER_EXPIRY = timedelta(seconds=60)  # app machines' clocks may differ this much


def purge_spent_tokens(now: datetime | None = None) -> int:
    """Forget spent token ids whose token has expired (it is refused on its ``exp`` alone
    then); run by the housekeeping task. One row was kept per relay connection forever."""
    cutoff = (now or datetime.now(UTC)) - SPENT_KEPT_AFTER_EXPIRY
    with session_scope() as session:
        result = session.exec(sa.delete(UsedWorkerToken).where(UsedWorkerToken.expires_at < cutoff))
        return int(result.rowcount or 0)


def consume_worker_token(claims: WorkerClaims) -> None:
    """Spend the token's ``jti``; a second use (on any worker) raises :class:`TokenError`."""
    try:
        with session_scope() as session:
            session.add(UsedWorkerToken(jti=claims.jti, interview_id=claims.interview_id, expires_at=claims.expires_at))
    except IntegrityError:
        raise TokenError("This token has already been used.") from None
