"""What the socket side hands to a live interview: the :class:`Inbound` protocol.

The link (link.py: which socket is attached, replay after a drop) and the frame pump
(client_pump.py: one check per frame) call it; the interview session (session.py)
implements it. Neither side imports the other: each knows only this protocol.
"""

from __future__ import annotations

from typing import Optional, Protocol

from preppal.realtime.pb import interview_pb2 as pb


class Inbound(Protocol):
    """What the link hands to the interview session (implemented by InterviewSession)."""

    live: bool  # audio is forwarded only while the backend is live

    def session_ready(self) -> Optional[bytes]:
        """The ``SessionReady`` frame for a socket attaching now (None until live)."""

    async def on_audio(self, pcm: bytes) -> None: ...

    async def on_end_request(self) -> None: ...

    async def on_client_message(self, msg: pb.ClientToServerMessage) -> None:
        """Any other valid client payload (extension point for new ``ClientToServerMessage`` kinds)."""

    def on_attached(self, client_token: str) -> None:
        """A socket attached for the page with this Reflex client token ("" if unknown)."""

    def on_detached(self) -> None: ...
