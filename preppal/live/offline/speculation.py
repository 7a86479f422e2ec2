"""Work done during a pause, before anyone knows whether the candidate has finished.

When a chunk's transcript arrives while the candidate is still silent, the backend asks a
*fork* of the interviewer for its reply to the answer so far (and has the first sentence
synthesised), so that if the turn ends at this pause the reply is ready. The real
interviewer only takes the fork's state when the final answer is exactly the text the
speculation was made for; if the candidate goes on, the fork is dropped and nothing of it
was said or remembered.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from preppal.live.offline.interviewer import Interviewer, Reply


@dataclass(slots=True)
class Speculation:
    text: str  # the answer it was prepared for
    interviewer: Interviewer  # a fork that has already replied to ``text``
    reply: Reply
    first_audio: bytes | None = None  # the reply's first sentence, once synthesised


@dataclass(slots=True)
class TurnStats:
    """Counters for tests and the benchmark (one interview)."""

    checks: int = 0  # end-of-turn model verdicts received
    complete: int = 0  # ... of which said "complete" while the pause still lasted
    speculations: int = 0
    used: int = 0  # speculations whose reply was spoken
    dropped: int = 0  # speculations thrown away (the candidate went on, or the answer changed)
    acknowledgements: int = 0


def answer_text(parts: list[str]) -> str:
    """One answer from its pieces (earlier finals, then this utterance's chunks)."""
    return " ".join(p for p in parts if p).strip()


def speculate(interviewer: Interviewer, text: str) -> Speculation:
    """The reply to ``text`` from a copy of ``interviewer``; the original is untouched."""
    fork = copy.deepcopy(interviewer, {id(interviewer.bank): interviewer.bank})  # the bank is shared, read-only
    return Speculation(text, fork, fork.respond(text))
