"""The relay's WebSocket endpoint: ``/ws/interview/{interview_id}?token=<jwt>``.

The JWT in the query string is the only authentication (spec 003 §3.2). Every refusal is
an ``ErrorResponse`` followed by a close with the same code, so the browser can tell
"sign in again" (4001) from "already open elsewhere" (4009).

Token purposes:
- ``connect``: the interview must be PENDING and not already being started here; a new
  relay is launched.
- ``resume``: the interview must be IN_PROGRESS. With a session in this process (it waits
  through the network-drop grace period) the new socket takes over from any old one;
  otherwise this process takes the interview over from whichever holds it
  (:meth:`RelayHub.take_over`) and re-opens the interviewer where it stopped. A token
  minted for a page's automatic reconnect (``retry``) is refused 4009 while another page's
  socket holds the call here: only a person's Rejoin moves a call between tabs.

A process that is shutting down refuses every socket with 1012 *before* spending the
token, so the client's retry (a fresh or the same token) reaches another process.

The route is built around one :class:`~preppal.realtime.hub.RelayHub` (``preppal.py``).
"""

from __future__ import annotations

import gc
import logging

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from preppal import codes, routes
from preppal.models import InterviewStatus
from preppal.realtime import codec
from preppal.realtime.hub import RelayHub
from preppal.services.interviews import lifecycle
from preppal.services.interviews.worker_tokens import (
    PURPOSE_CONNECT,
    PURPOSE_RESUME,
    TokenError,
    consume_worker_token,
    verify_worker_token,
)
from preppal.services.pools import RELAY

log = logging.getLogger(__name__)


class Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def _refuse(ws: WebSocket, code: int, message: str) -> None:
    try:
        if message:
            await ws.send_bytes(codec.error(code, message))
        await ws.close(code)
    except Exception:
        pass  # the client left first


async def _authorize(hub: RelayHub, interview_id: str, token: str):
    """Check the token and the interview's state; return (interview, claims, session-or-None)."""
    try:
        claims = verify_worker_token(token, interview_id)
    except TokenError as exc:
        raise Refused(codes.AUTH, exc.message) from None
    if not hub.accepting:
        raise Refused(codes.SERVICE_RESTART, "")
    try:  # spent first: a token opens at most one connection, whatever happens next
        await RELAY.run(consume_worker_token, claims)
    except TokenError as exc:
        raise Refused(codes.AUTH, exc.message) from None
    interview = await RELAY.run(lifecycle.get_interview_any, interview_id)
    if interview is None or interview.user_id != claims.user_id:
        raise Refused(codes.AUTH, "This token is for another interview.")
    session = hub.session(interview_id)
    if claims.purpose == PURPOSE_CONNECT:
        if session is not None:
            raise Refused(codes.ALREADY_CONNECTED, codes.message_for(codes.ALREADY_CONNECTED))
        if interview.status != InterviewStatus.PENDING:
            raise Refused(codes.AUTH, "This interview has already started or ended.")
        if await RELAY.run(lifecycle.other_live_interview, claims.user_id, interview_id):
            raise Refused(codes.ANOTHER_LIVE, lifecycle.ALREADY_LIVE)  # one live interview per user
    elif claims.purpose == PURPOSE_RESUME:
        if interview.status != InterviewStatus.IN_PROGRESS:
            raise Refused(codes.AUTH, "This interview can no longer be resumed.")
        if _held_by_another_page(session, claims):
            raise Refused(codes.ALREADY_CONNECTED, codes.message_for(codes.ALREADY_CONNECTED))
        if session is None or session.finished:  # held elsewhere (or by nobody): take it over
            session = await hub.take_over(interview_id, claims)
            if session is None:
                raise Refused(codes.AUTH, "This interview can no longer be resumed.")
    else:
        raise Refused(codes.AUTH, "Invalid token.")
    return interview, claims, session


def _held_by_another_page(session, claims) -> bool:
    """A page's automatic reconnect never takes the call from another page that holds it now
    (that page took it over; a lost 4009 must not make the two tabs pull it back and forth).
    Only a person's Rejoin moves the call. (Within this process; across processes the holder
    is asked to let go as for any resume.)"""
    return (
        claims.retry
        and session is not None
        and not session.finished
        and session.link.attached
        and session.client_token != claims.client_token
    )


async def interview_socket(hub: RelayHub, ws: WebSocket) -> None:
    interview_id = ws.path_params["interview_id"]
    await ws.accept()
    try:
        interview, claims, session = await _authorize(hub, interview_id, ws.query_params.get("token", ""))
        if session is None:
            if hub.session(interview_id) is not None:  # lost a race while authorizing
                raise Refused(codes.ALREADY_CONNECTED, codes.message_for(codes.ALREADY_CONNECTED))
            _freeze_startup_heap()
            session = hub.launch(interview, claims)
    except Refused as exc:
        log.info("relay refused a connection to %s: %s (%s)", interview_id, exc.code, exc.message)
        await _refuse(ws, exc.code, exc.message)
        return
    except Exception:
        log.exception("relay could not open interview %s", interview_id)
        await _refuse(ws, codes.INTERNAL, codes.message_for(codes.INTERNAL))
        return
    await session.link.serve(ws, claims.client_token)


_heap_frozen = False


def _freeze_startup_heap() -> None:
    """Move everything alive before the first interview out of the cyclic GC's reach, once.

    The app, Reflex, pydantic and the SDK leave ~10^6 long-lived objects; a full collection
    walks them all and stalled the event loop for up to ~185 ms under load (every live audio
    stream with it). Frozen, full collections take a few ms (bench: docs/performance.md).
    """
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.freeze()


def websocket_routes(hub: RelayHub) -> list[WebSocketRoute]:
    """The routes to mount in the app (``preppal.py`` adds them through ``api_transformer``)."""

    async def endpoint(ws: WebSocket) -> None:
        await interview_socket(hub, ws)

    return [WebSocketRoute(routes.RELAY_SOCKET, endpoint)]
