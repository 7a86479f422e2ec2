"""The browser → relay half of a connection: validate each frame, hand it to the session.

Per frame: one size check, one protobuf parse, one parity check, one token-bucket check,
then a buffer append in the backend. Bad input gets an ``ErrorResponse`` (rate-limited so a
misbehaving client cannot make us flood it) and never a traceback:

=======================  =====  =====================================================
case                     code   what happens
=======================  =====  =====================================================
text frame               4003   error, frame ignored (closed after MAX_STRIKES)
undecodable protobuf     4003   error, frame ignored (closed after MAX_STRIKES)
unknown / empty payload  4003   error, frame ignored (closed after MAX_STRIKES)
odd-length PCM           4004   error, chunk dropped (closed after MAX_STRIKES)
frame over the size cap  4005   error, then the connection is closed (also audio > 64 KiB)
faster than real time    4006   error at most once a second, excess audio dropped
code over 64 KiB         4007   error, that snapshot ignored (the socket stays open)
too many frames          4006   error at most once a second, excess frames dropped
                                unparsed (counted before the size check and the parse);
                                an EndRequest (its exact 2-byte encoding) is never dropped
=======================  =====  =====================================================

The ASGI server has read a whole message before this loop sees it: granian (tungstenite
defaults) buffers up to 64 MiB per message and has no setting for it, see docs/security.md.
"""

from __future__ import annotations

from typing import Protocol

from starlette.websockets import WebSocket

from preppal import codes
from preppal.editor import MAX_CODE_BYTES, code_bytes
from preppal.realtime.codec import MalformedFrame, decode_client
from preppal.realtime.codec import client_end as encode_end_request
from preppal.realtime.inbound import Inbound
from preppal.realtime.limits import MAX_AUDIO_BYTES, MAX_FRAME_BYTES, FrameLimiter, RealTimeLimiter, Throttle

MAX_STRIKES = 20  # malformed frames tolerated per connection before we hang up
# ClientToServerMessage{end_request: {}} on the wire, exactly as the browser's protobufjs
# writes it: field 2, length-delimited, empty. It passes the frame budget (after a stall
# the browser's backlog arrives at once, and the candidate's End must not be dropped with
# the excess audio) but only byte for byte: protobuf keeps the *last* oneof member of a
# message, so ``12 00`` followed by an audio or code field parses as audio or code, and a
# prefix check let a flood of those past the budget (issue 22).
END_REQUEST_FRAME = encode_end_request()
PRIORITY_FRAMES = (END_REQUEST_FRAME,)  # the frames that skip the frame budget, compared whole


class Refusals(Protocol):
    """Where the pump sends its refusals (the link, link.py: it knows which socket is current)."""

    async def reject(self, ws: WebSocket, code: int, *, close: bool) -> None:
        """Tell the client about bad input (an ``ErrorResponse``); close the socket when fatal."""


def _priority(data: bytes | None) -> bool:
    return data is not None and any(data == frame for frame in PRIORITY_FRAMES)  # length first: cheap


async def pump_client(link: Refusals, inbound: Inbound, ws: WebSocket) -> None:
    """Read frames until the socket closes (or we close it for bad input).

    Valid frames go to ``inbound`` (the interview session); refusals go out through ``link``
    (the :class:`~preppal.realtime.link.ClientLink` serving this socket).
    """
    limiter = RealTimeLimiter()
    frames = FrameLimiter()
    flood_note = Throttle(1.0)
    strikes = 0
    receive = ws.receive
    while True:
        message = await receive()
        if message["type"] != "websocket.receive":
            return  # websocket.disconnect
        if not frames.allow() and not _priority(message.get("bytes")):
            if flood_note.ready():
                await link.reject(ws, codes.TOO_FAST, close=False)
            continue
        data = message.get("bytes")
        bad = 0
        if data is None:
            bad = codes.MALFORMED  # a text frame
        elif len(data) > MAX_FRAME_BYTES:
            await link.reject(ws, codes.TOO_LARGE, close=True)
            return
        else:
            try:
                msg = decode_client(data)
            except MalformedFrame:
                bad = codes.MALFORMED
            else:
                if msg.HasField("audio_chunk"):
                    pcm = msg.audio_chunk.audio_content
                    if len(pcm) > MAX_AUDIO_BYTES:
                        await link.reject(ws, codes.TOO_LARGE, close=True)
                        return
                    if len(pcm) & 1:
                        bad = codes.BAD_AUDIO
                    elif not limiter.allow(len(pcm)):
                        if flood_note.ready():
                            await link.reject(ws, codes.TOO_FAST, close=False)
                    elif pcm and inbound.live:
                        await inbound.on_audio(pcm)
                elif msg.HasField("end_request"):
                    await inbound.on_end_request()
                elif msg.HasField("code_snapshot") and code_bytes(msg.code_snapshot.code) > MAX_CODE_BYTES:
                    await link.reject(ws, codes.CODE_TOO_LARGE, close=False)
                else:
                    await inbound.on_client_message(msg)
        if bad:
            strikes += 1
            if strikes >= MAX_STRIKES:
                await link.reject(ws, bad, close=True)
                return
            await link.reject(ws, bad, close=False)
