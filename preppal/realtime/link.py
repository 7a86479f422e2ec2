"""The candidate's side of one interview: the socket, its frame pump, replay and close.

Events flow one way: the interview session calls :meth:`ClientLink.ready`, :meth:`text`,
:meth:`audio`, :meth:`control`, :meth:`close`, …; the link puts them on whichever socket
is attached now. Frames from the candidate go the other way: the pump (client_pump.py)
checks each one and hands it to the session through :class:`~preppal.realtime.inbound.Inbound`
(inbound.py). The link knows nothing about backends or the database.

A socket comes and goes: while none is attached, transcript updates are kept (latest per
segment) and the newest ``detached_audio_s`` of AI audio, and replayed, in order, to the
socket that resumes. A newer socket takes over from an older one (which is closed 4009).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Optional

from starlette.websockets import WebSocket

from preppal import codes
from preppal.realtime import codec
from preppal.realtime.client_pump import pump_client
from preppal.realtime.inbound import Inbound

log = logging.getLogger(__name__)


class ClientLink:
    def __init__(self, interview_id: str, inbound: Inbound, *, detached_audio_s: float = 10.0) -> None:
        self.interview_id = interview_id
        self._inbound = inbound
        self._held_audio_limit = int(detached_audio_s * 48_000)  # 24 kHz PCM16
        self._ws: Optional[WebSocket] = None
        self._serving: dict[int, asyncio.Task] = {}
        self._closing: dict[int, int] = {}  # socket id → close code we asked for
        self._held_audio: deque[bytes] = deque()
        self._held_audio_bytes = 0
        self._held_text: dict[int, bytes] = {}  # segment id → latest update while detached
        self._open_text: dict[int, bytes] = {}  # segment id → latest partial of an open segment

    @property
    def attached(self) -> bool:
        return self._ws is not None

    # -- session → client ------------------------------------------------------------------
    async def ready(self) -> None:
        """The session went live: ``SessionReady`` to the attached socket (and, made afresh by
        the session, first to every socket that attaches later)."""
        data = self._inbound.session_ready()
        if data is not None:
            await self._send(data)

    async def audio(self, data: bytes) -> None:
        """AI audio: kept (bounded) while no socket is attached."""
        if not await self._send(data):
            self._hold_audio(data)

    def drop_held_audio(self) -> None:
        """Barge-in: audio that was held for a reconnecting client must not play any more."""
        self._held_audio.clear()
        self._held_audio_bytes = 0

    async def text(self, segment_id: int, data: bytes, final: bool) -> None:
        """A transcript update: the latest per segment is kept for a socket that resumes."""
        if final:
            self._open_text.pop(segment_id, None)
        else:
            self._open_text[segment_id] = data
        if self._ws is None:
            self._held_text[segment_id] = data
        else:
            await self._send(data)

    async def retract(self, segment_id: int, data: bytes) -> None:
        """A withdrawn segment: it is never replayed, and the client is told to remove it (a socket
        that resumes later gets the retraction in the segment's place)."""
        self._open_text.pop(segment_id, None)
        if self._ws is None:
            self._held_text[segment_id] = data
        else:
            self._held_text.pop(segment_id, None)
            await self._send(data)

    async def control(self, data: bytes) -> None:
        """Anything else (interrupted, session ended, …): sent now or not at all."""
        await self._send(data)

    async def close(self, code: int, message: str = "") -> None:
        """Close the attached socket (if any) with ``code`` after ``ErrorResponse{message}``."""
        ws = self._ws
        if ws is not None:
            await self._close_socket(ws, code, message)

    async def reject(self, ws: WebSocket, code: int, *, close: bool) -> None:
        """Tell the client about bad input; close the socket when the case is fatal."""
        if close:
            await self._close_socket(ws, code, codes.message_for(code))
        else:
            try:
                await ws.send_bytes(codec.error(code, codes.message_for(code)))
            except Exception:
                self._detach(ws)

    # -- sockets -------------------------------------------------------------------------------
    async def serve(self, ws: WebSocket, client_token: str = "") -> None:
        """Attach ``ws`` (taking over from an older socket) and pump its frames until it goes.
        ``client_token``: the Reflex page the socket belongs to (from its worker token)."""
        old, self._ws = self._ws, ws
        self._serving[id(ws)] = asyncio.current_task()
        self._inbound.on_attached(client_token)
        try:
            if old is not None:
                await self._close_socket(old, codes.ALREADY_CONNECTED, codes.message_for(codes.ALREADY_CONNECTED))
            ready = self._inbound.session_ready()
            if ready is not None:
                await self._replay(ready)
            await pump_client(self, self._inbound, ws)
        except asyncio.CancelledError:
            code = self._closing.get(id(ws))
            if code is None:
                raise  # not our doing: the server is shutting down
            await self._do_close(ws, code)
        finally:
            self._serving.pop(id(ws), None)
            self._closing.pop(id(ws), None)
            self._detach(ws)

    async def _replay(self, ready: bytes) -> None:
        """Bring a resumed socket up to date: ready, transcript so far, held AI audio."""
        held_text, self._held_text = {**self._held_text, **self._open_text}, {}
        held_audio, self._held_audio, self._held_audio_bytes = self._held_audio, deque(), 0
        for data in [ready, *(held_text[k] for k in sorted(held_text)), *held_audio]:
            await self._send(data)

    async def _send(self, data: bytes) -> bool:
        ws = self._ws
        if ws is None:
            return False
        try:
            await ws.send_bytes(data)
            return True
        except Exception as exc:
            log.debug("send to the client of %s failed: %r", self.interview_id, exc)
            self._detach(ws)
            return False

    def _hold_audio(self, data: bytes) -> None:
        self._held_audio.append(data)
        self._held_audio_bytes += len(data)
        while self._held_audio_bytes > self._held_audio_limit and len(self._held_audio) > 1:
            self._held_audio_bytes -= len(self._held_audio.popleft())

    def _detach(self, ws: WebSocket) -> None:
        if self._ws is not ws:
            return
        self._ws = None
        self._inbound.on_detached()

    async def _close_socket(self, ws: WebSocket, code: int, message: str = "") -> None:
        """Send ``ErrorResponse{code}`` (when ``message``) and close with ``code``.

        The close itself is done by the task that reads the socket: granian completes an
        ASGI ``websocket.close`` only once no ``receive`` is pending, so a close issued by
        another task would wait for the client's next frame. Other tasks cancel the reader,
        which then closes (see :meth:`serve`).
        """
        self._detach(ws)  # when it is the current socket: the session's grace period starts
        if id(ws) in self._closing:
            return
        self._closing[id(ws)] = code
        if message:
            try:
                await ws.send_bytes(codec.error(code, message))
            except Exception:
                pass  # already gone
        reader = self._serving.get(id(ws))
        if reader is None or reader is asyncio.current_task():
            await self._do_close(ws, code)
        else:
            reader.cancel()

    @staticmethod
    async def _do_close(ws: WebSocket, code: int) -> None:
        # No timeout: cancelling granian's close mid-way turns the 1000/4xxx the client should
        # see into 1005/1006 (seen under overload). A vanished client fails it at once.
        try:
            await ws.close(code)
        except Exception:
            pass  # already gone
