"""The seed's three interview calls over HTTP JSON, plus their OpenAPI schema.

Auth, per call:
- ``generateWorkerToken``: the user's session cookie only (owner of a PENDING interview).
- ``updateStatus``: the session cookie (own interviews) *or* the worker shared secret.
- ``submitTranscript``: the worker shared secret only.
The secret arrives as ``Authorization: Bearer <secret>`` and is compared in constant time.
When an Authorization header is present it must be right: there is no fallback to the
cookie, so a misconfigured worker fails loudly. Cookie-authenticated calls must send
``Content-Type: application/json``, which a cross-site HTML form cannot (CSRF).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from preppal import routes
from preppal.models import InterviewStatus, Speaker
from preppal.services.accounts import auth
from preppal.services.errors import AuthError, ServiceError, ValidationError
from preppal.services.input_limits import (
    MAX_OFFSET_MS,
    MAX_TRANSCRIPT_ENTRIES,
    MAX_TRANSCRIPT_TEXT,
    TRANSCRIPT_BODY_BYTES,
)
from preppal.services.interviews import lifecycle, transcripts, worker_tokens
from preppal.services.pools import call_service
from preppal.settings import get_settings

UPDATABLE = {InterviewStatus.IN_PROGRESS, InterviewStatus.COMPLETED, InterviewStatus.ERROR}
MAX_BODY_BYTES = TRANSCRIPT_BODY_BYTES  # the body-limit middleware refuses larger bodies unread
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET_MS)]


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class TranscriptEntryIn(BaseModel):
    """One entry of ``submitTranscript``: every field typed and bounded (422 names the field)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    speaker: Annotated[Literal["USER", "AI"], BeforeValidator(_upper)]
    text: Annotated[str, Field(max_length=MAX_TRANSCRIPT_TEXT)]
    sequence: Optional[Annotated[int, Field(ge=0, le=1_000_000)]] = None
    startMs: Offset = 0  # the wire format's camelCase names
    endMs: Offset = 0


class SubmitTranscriptIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    interviewId: Annotated[str, Field(min_length=1, max_length=64)]
    transcript: Annotated[list[TranscriptEntryIn], Field(max_length=MAX_TRANSCRIPT_ENTRIES)]
    endedAt: Optional[str] = None


def _parse(model: type[BaseModel], body: dict[str, Any]) -> Any:
    """Validate ``body``; the first problem becomes a 422 that names its field."""
    try:
        return model.model_validate(body)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValidationError(f"{where}: {first['msg']}") from None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _worker_secret_ok(request: Request) -> Optional[bool]:
    """None without an Authorization header; else whether it carries the shared secret."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    value, secret = value.strip(), get_settings().worker_secret
    if scheme.lower() != "bearer" or not value or not secret:
        return False
    return hmac.compare_digest(value.encode(), secret.encode())


async def _session_user(request: Request) -> int:
    user = await call_service(auth.user_for_session, request.cookies.get(auth.SESSION_COOKIE, ""))
    if user is None or not user.id:
        raise AuthError("Sign in first.")
    return user.id


async def _json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ValidationError("Send a JSON body (Content-Type: application/json).")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationError("The request body is too large.")
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise ValidationError("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object.")
    return body


def _interview_id(body: dict[str, Any]) -> str:
    value = body.get("interviewId")
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("interviewId is required.")
    return value.strip()


def _timestamp(value: Any, field: str) -> Optional[datetime]:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be an ISO 8601 string.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field} must be an ISO 8601 string.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _transcript(body: dict[str, Any]) -> tuple[str, list[transcripts.TranscriptLine], Any]:
    """(interview id, lines, endedAt) from a ``submitTranscript`` body, every field checked."""
    entries = body.get("transcript")
    if isinstance(entries, list):  # the seed's workers send "content" for the text
        entries = [
            {**e, "text": e["content"]} if isinstance(e, dict) and "text" not in e and "content" in e else e
            for e in entries[: MAX_TRANSCRIPT_ENTRIES + 1]
        ]
    parsed = _parse(SubmitTranscriptIn, {**body, "transcript": entries})
    lines = [
        transcripts.TranscriptLine(
            index if e.sequence is None else e.sequence, Speaker(e.speaker), e.text, e.startMs, e.endMs
        )
        for index, e in enumerate(parsed.transcript)
    ]
    return parsed.interviewId.strip(), lines, parsed.endedAt


def _guarded(handler):
    """Map service errors to ``{"error": message}`` with the error's HTTP status."""

    async def endpoint(request: Request) -> JSONResponse:
        try:
            return await handler(request)
        except ServiceError as exc:
            return _error(exc.http_status, exc.message)

    endpoint.__doc__ = handler.__doc__
    endpoint.__name__ = handler.__name__
    return endpoint


@_guarded
async def generate_worker_token(request: Request) -> JSONResponse:
    """
    ---
    summary: Mint a 5-minute token to open the live interview socket
    description: Session cookie only. The interview must be yours and PENDING.
    security: [{session: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema: {type: object, required: [interviewId], properties: {interviewId: {type: string}}}
    responses:
      200: {description: "{token: string}"}
      401: {description: Not signed in}
      404: {description: No such interview of yours}
      409: {description: The interview is not PENDING, or another of yours is live}
      429: {description: Too many tokens minted in the last minute}
    """
    if _worker_secret_ok(request) is not None:
        raise AuthError("Worker tokens are minted for a signed-in user, not with the worker secret.")
    user_id = await _session_user(request)
    body = await _json_body(request)
    return JSONResponse(
        {"token": await call_service(worker_tokens.generate_worker_token, user_id, _interview_id(body))}
    )


@_guarded
async def update_status(request: Request) -> JSONResponse:
    """
    ---
    summary: Move an interview along PENDING → IN_PROGRESS → COMPLETED | ERROR
    description: Session cookie (own interviews) or `Authorization Bearer <worker secret>`.
    security: [{session: []}, {workerSecret: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [interviewId, status]
            properties:
              interviewId: {type: string}
              status: {type: string, enum: [IN_PROGRESS, COMPLETED, ERROR]}
              endedAt: {type: string, format: date-time}
    responses:
      200: {description: "{interviewId, status}"}
      401: {description: No session and no (or a wrong) secret}
      404: {description: No such interview (of yours)}
      409: {description: "Illegal transition, moved by another caller first, or a live relay holds it"}
    """
    secret = _worker_secret_ok(request)
    if secret is False:
        raise AuthError("Wrong worker secret.")
    user_id = await _session_user(request) if secret is None else 0
    body = await _json_body(request)
    interview_id = _interview_id(body)
    try:
        status = InterviewStatus(str(body.get("status", "")))
    except ValueError:
        status = None
    if status not in UPDATABLE:
        raise ValidationError("status must be one of IN_PROGRESS, COMPLETED, ERROR.")
    ended_at = _timestamp(body.get("endedAt"), "endedAt")
    if user_id:
        await call_service(lifecycle.get_interview, user_id, interview_id)  # NotFound unless it is theirs
    interview = await call_service(lifecycle.update_status, interview_id, status, ended_at=ended_at, outside=True)
    return JSONResponse({"interviewId": interview.id, "status": interview.status.value})


@_guarded
async def submit_transcript(request: Request) -> JSONResponse:
    """
    ---
    summary: Store the final transcript and mark the interview COMPLETED (one transaction)
    description: Worker shared secret only. Idempotent on retry.
    security: [{workerSecret: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [interviewId, transcript, endedAt]
            properties:
              interviewId: {type: string}
              endedAt: {type: string, format: date-time}
              transcript:
                type: array
                items:
                  type: object
                  required: [speaker, text]
                  properties:
                    speaker: {type: string, enum: [USER, AI]}
                    text: {type: string}
                    sequence: {type: integer}
                    startMs: {type: integer}
                    endMs: {type: integer}
    responses:
      200: {description: "{interviewId, status, entries}"}
      401: {description: Missing or wrong worker secret}
      404: {description: No such interview}
      409: {description: "The interview cannot be completed from its status, or a live relay holds it"}
      413: {description: The body is larger than 2 MiB}
      422: {description: "A field is missing, of the wrong type or out of range: {error: '<field>: <problem>'}"}
    """
    if not _worker_secret_ok(request):
        raise AuthError("This call needs the worker secret.")
    body = await _json_body(request)
    interview_id, lines, ended_raw = _transcript(body)
    ended_at = _timestamp(ended_raw, "endedAt")
    interview = await call_service(transcripts.submit_transcript, interview_id, lines, ended_at=ended_at, outside=True)
    return JSONResponse({"interviewId": interview.id, "status": interview.status.value, "entries": len(lines)})


_SCHEMA = SchemaGenerator(
    {
        "openapi": "3.0.3",
        "info": {"title": "Preppal interview API", "version": "1.0"},
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": auth.SESSION_COOKIE},
                "workerSecret": {"type": "http", "scheme": "bearer"},
            }
        },
    }
)


def _api_routes() -> list[Route]:
    return [
        Route(routes.API_TOKEN, generate_worker_token, methods=["POST"]),
        Route(routes.API_STATUS, update_status, methods=["POST"]),
        Route(routes.API_TRANSCRIPT, submit_transcript, methods=["POST"]),
    ]


@functools.cache
def _openapi_schema() -> dict[str, Any]:
    """Built once: parsing the routes' YAML docstrings is ~0.1 s of CPU."""
    return _SCHEMA.get_schema(routes=_api_routes())


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(await asyncio.to_thread(_openapi_schema))  # the first build: not on the loop


def interview_routes() -> list[Route]:
    return [*_api_routes(), Route(routes.API_OPENAPI, openapi, methods=["GET"], include_in_schema=False)]
