"""Work done during a pause, before anyone knows whether the candidate has finished.

When a chunk's transcript arrives while the candidate is still silent, the backend asks a
*fork* of the interviewer for its reply to the answer so far (and has its first two pieces
synthesised: most replies open with a short lead made at load, then the part that is not), so
that if the turn ends at this pause the reply is ready. The real interviewer only takes the
fork's state when the final answer is exactly the text the speculation was made for; if the
candidate goes on, the fork is dropped and nothing of it was said or remembered.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass

from preppal.live.offline.interviewer import Interviewer, Reply
from preppal.live.offline.vad import TurnStats


@dataclass(slots=True)
class Speculation:
    text: str  # the answer it was prepared for
    interviewer: Interviewer  # a fork that has already replied to ``text``
    reply: Reply
    first_audio: bytes | None = None  # the reply's first piece, once synthesised


def answer_text(parts: list[str]) -> str:
    """One answer from its pieces (earlier finals, then this utterance's chunks)."""
    return " ".join(p for p in parts if p).strip()


def fork(interviewer: Interviewer) -> Interviewer:
    """An independent copy of the dialogue state (the language pack is shared, read-only: it copies as itself)."""
    return copy.deepcopy(interviewer)


def speculate(interviewer: Interviewer, text: str) -> Speculation:
    """The reply to ``text`` from a copy of ``interviewer``; the original is untouched."""
    copied = fork(interviewer)
    return Speculation(text, copied, copied.respond(text))


class Speculator:
    """One interview's speculation (at most one at a time) and its bookkeeping."""

    def __init__(self, stats: TurnStats, synthesise: Callable[[str], asyncio.Future[bytes]]) -> None:
        self._stats = stats
        self._synthesise = synthesise  # starts a sentence's synthesis off the event loop
        self._spec: Speculation | None = None

    def start(self, interviewer: Interviewer, text: str) -> None:
        """Prepare the reply to ``text`` (the answer so far) and synthesise its first sentence."""
        if self._spec is not None and self._spec.text == text:
            return
        self.drop()
        spec = self._spec = speculate(interviewer, text)
        self._stats.speculations += 1
        pieces = spec.reply.pieces
        if pieces:
            self._synthesise(pieces[0]).add_done_callback(lambda f: _keep_first_audio(spec, f))
        for piece in pieces[1:2]:  # most replies open with a short fixed lead: make what follows it too
            self._synthesise(piece)

    def audio_ready(self) -> bool:
        """A reply is prepared and its first audio is made (else the end of the turn may need a filler)."""
        return self._spec is not None and self._spec.first_audio is not None

    def drop(self) -> None:
        """The candidate went on: what was prepared is void."""
        if self._spec is not None:
            self._spec = None
            self._stats.dropped += 1

    def reply(self, interviewer: Interviewer, text: str) -> tuple[Interviewer, Reply, bytes | None]:
        """The interviewer to keep, its reply to the final ``text``, and that reply's first audio if ready."""
        spec, self._spec = self._spec, None
        if spec is not None and spec.text == text:
            self._stats.used += 1
            return spec.interviewer, spec.reply, spec.first_audio  # the fork already holds this reply's state
        self._stats.dropped += spec is not None
        return interviewer, interviewer.respond(text), None


def _keep_first_audio(spec: Speculation, future: asyncio.Future[bytes]) -> None:
    if not future.cancelled() and future.exception() is None:
        spec.first_audio = future.result()
