"""The listener's bookkeeping of an utterance's words: each chunk is decoded with the speech
before it, and the candidate's line shows the newest decode (no models here)."""

from __future__ import annotations

import numpy as np

from preppal.live.base import UserTranscript
from preppal.live.offline.listening import CONTEXT_S, UNHEARD_MAX_S, CandidateLine, Context, Heard
from preppal.live.offline.vad import Chunk

RATE = 16_000


def _chunk(seconds: float, final: bool = False, voiced: bool = True) -> Chunk:
    return Chunk(np.full(int(seconds * RATE), 0.1, np.float32), final, voiced)


def test_each_chunk_is_decoded_after_the_speech_before_it_and_its_words_revise_the_utterance() -> None:
    context = Context()
    first = _chunk(1.0)
    assert context.before(first.audio).size == first.audio.size
    assert context.heard(first, "Had he married a more") == ("Had he married a more",)
    second = _chunk(2.0)
    assert context.before(second.audio).size == 3 * RATE  # both, spoken together
    assert context.heard(second, "Had he married a more amiable woman.") == ("Had he married a more amiable woman.",)


def test_a_decode_with_no_words_never_erases_words_already_heard() -> None:
    context = Context()
    context.heard(_chunk(1.0), "He might")
    assert context.heard(_chunk(0.5), "") == ("He might",)
    assert context.audio.size == int(1.5 * RATE)  # both are decoded again with the next chunk


def test_speech_with_no_words_is_carried_at_most_unheard_max() -> None:
    context = Context()
    for _ in range(6):
        assert context.heard(_chunk(1.0), "") == ()
    assert context.audio.size == int(UNHEARD_MAX_S * RATE)


def test_a_long_stretch_with_words_is_settled_and_the_next_chunk_starts_afresh() -> None:
    """The decode's cost grows with its audio: the context is bounded by CONTEXT_S."""
    context = Context()
    assert context.heard(_chunk(CONTEXT_S), "First part.") == ("First part.",)
    assert context.audio.size == 0 and context.settled == ["First part."]
    nxt = _chunk(1.0)
    assert context.before(nxt.audio).size == nxt.audio.size
    assert context.heard(nxt, "Second part.") == ("First part.", "Second part.")  # the judge smooths the seam


def test_the_utterance_ends_with_its_final_chunk() -> None:
    context = Context()
    context.heard(_chunk(1.0), "So I")
    assert context.heard(_chunk(1.0, final=True), "So I wrote a script.") == ("So I wrote a script.",)
    assert context.audio.size == 0 and context.words == "" and context.settled == []


def _line() -> tuple[CandidateLine, list[UserTranscript]]:
    events: list[UserTranscript] = []
    return CandidateLine(events.append), events


def _heard(*parts: str, final: bool = False) -> Heard:
    return Heard(_chunk(0.5, final), parts, 0.0, not final)


def _shown(events: list[UserTranscript]) -> str:
    line = ""
    for e in events:
        line = line[: max(0, len(line) - e.replaces)] + e.text
    return line


def test_the_line_shows_the_newest_decode_of_the_utterance() -> None:
    line, events = _line()
    line.add(_heard("Had he married a more"))
    line.add(_heard("Had he married a more"))  # unchanged: nothing sent
    line.add(_heard("Had he married a more amiable woman."))
    assert len(events) == 2 and events[1].replaces == len("Had he married a more")
    assert _shown(events) == "Had he married a more amiable woman."
    assert line.words == ["Had he married a more amiable woman."]
    assert line.take_words() == "Had he married a more amiable woman." and line.words == []
    line.add(_heard("We moved to Kafka.", "It took a month."))  # a settled stretch, then the newest decode
    assert line.words == ["We moved to Kafka.", "It took a month."]  # the text judge joins them itself
    assert _shown(events).endswith("woman. We moved to Kafka. It took a month.")


def test_a_new_utterance_on_a_line_still_open_revises_only_its_own_words() -> None:
    """After a recovery the answer goes on on the same line: the first utterance's words stay."""
    line, events = _line()
    line.add(_heard("We moved to Kafka."))
    line.take_words()  # that utterance ended, the line stays open (the turn was taken back)
    line.add(_heard("The hardest"))
    line.add(_heard("The hardest part was the migration."))
    assert _shown(events) == "We moved to Kafka. The hardest part was the migration."
    line.close(0)
    assert events[-1].final and events[-1].replaces == 0
