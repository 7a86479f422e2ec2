"""Property-based fuzzing of the relay's client-frame handling (``pump_client``): random
bytes, text frames, truncated and valid-but-odd protobuf, huge declared lengths, unknown
fields, every oneof member. Bounded (a few hundred cases per property) so the suite stays
fast; bench/fuzz.py runs ≥ 100,000 frames against a live relay."""

from __future__ import annotations

import asyncio
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preppal import codes
from preppal.realtime import client_pump, codec
from preppal.realtime.limits import MAX_FRAME_BYTES
from preppal.realtime.pb import interview_pb2 as pb

KNOWN_CODES = {codes.MALFORMED, codes.BAD_AUDIO, codes.TOO_LARGE, codes.TOO_FAST, codes.CODE_TOO_LARGE}
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, wire_type: int, payload: bytes = b"") -> bytes:
    return _varint(number << 3 | wire_type) + payload


audio = st.binary(max_size=4096).map(
    lambda pcm: pb.ClientToServerMessage(audio_chunk=pb.AudioChunk(audio_content=pcm)).SerializeToString()
)
end = st.just(pb.ClientToServerMessage(end_request=pb.EndRequest()).SerializeToString())
oneof_members = st.sampled_from(
    [
        pb.ClientToServerMessage(**{field.name: getattr(pb, field.message_type.name)()}).SerializeToString()
        for field in pb.ClientToServerMessage.DESCRIPTOR.oneofs_by_name["payload"].fields
    ]
)
valid = st.one_of(audio, end, oneof_members)
truncated = valid.flatmap(lambda data: st.integers(0, max(0, len(data) - 1)).map(lambda n: data[:n]))
huge_length = st.tuples(st.integers(1, 20), st.integers(2**20, 2**63 - 1), st.binary(max_size=64)).map(
    lambda t: _field(t[0], 2, _varint(t[1]) + t[2])
)
unknown_fields = st.tuples(valid, st.integers(3, 2**29 - 1), st.sampled_from([0, 1, 2, 5]), st.binary(max_size=32)).map(
    lambda t: t[0] + _field(t[1], t[2], _varint(len(t[3])) + t[3] if t[2] == 2 else t[3][:8].ljust(8, b"\0"))
)
oversized = st.integers(MAX_FRAME_BYTES + 1, MAX_FRAME_BYTES + 4096).map(lambda n: b"\0" * n)
frame = st.one_of(
    st.binary(max_size=512), st.text(max_size=64), valid, truncated, huge_length, unknown_fields, oversized
)


class FakeSocket:
    def __init__(self, frames: list[bytes | str]) -> None:
        self._frames = list(frames)

    async def receive(self) -> dict:
        if not self._frames:
            return {"type": "websocket.disconnect", "code": 1000}
        item = self._frames.pop(0)
        key = "text" if isinstance(item, str) else "bytes"
        return {"type": "websocket.receive", key: item}


class Recorder:
    """Both sides the pump talks to: the link (refusals) and the session (valid input)."""

    live = True

    def __init__(self) -> None:
        self.rejects: list[tuple[int, bool]] = []
        self.audio: list[bytes] = []
        self.ends = 0
        self.others: list[pb.ClientToServerMessage] = []

    async def reject(self, ws, code: int, *, close: bool) -> None:
        self.rejects.append((code, close))

    async def on_audio(self, pcm: bytes) -> None:
        self.audio.append(pcm)

    async def on_end_request(self) -> None:
        self.ends += 1

    async def on_client_message(self, msg) -> None:
        self.others.append(msg)


def _pump(frames: list[bytes | str]) -> Recorder:
    recorder = Recorder()
    asyncio.run(asyncio.wait_for(client_pump.pump_client(recorder, recorder, FakeSocket(frames)), 10))
    return recorder


@FUZZ
@given(st.lists(frame, max_size=40))
def test_any_frame_sequence_is_handled_without_crashing(frames) -> None:
    seen = _pump(frames)
    assert {code for code, _ in seen.rejects} <= KNOWN_CODES
    closes = [code for code, close in seen.rejects if close]
    assert len(closes) <= 1 and (not closes or seen.rejects[-1][1])  # nothing after a close
    assert all(len(pcm) % 2 == 0 and pcm for pcm in seen.audio)  # only whole PCM16 samples go on


@FUZZ
@given(st.lists(valid, min_size=1, max_size=30))
def test_valid_frames_are_never_refused_at_a_human_rate(frames) -> None:
    seen = _pump(frames)
    odd = [f for f in frames if _odd_audio(f)]
    assert [code for code, _ in seen.rejects] == [codes.BAD_AUDIO] * len(odd)


def _odd_audio(data: bytes) -> bool:
    msg = pb.ClientToServerMessage()
    msg.ParseFromString(data)
    return msg.HasField("audio_chunk") and len(msg.audio_chunk.audio_content) % 2 == 1


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=64), truncated, huge_length), min_size=1, max_size=60))
def test_garbage_is_answered_and_closed_after_the_strike_limit(frames) -> None:
    seen = _pump(frames)
    refusals = [code for code, _ in seen.rejects]
    assert all(code in KNOWN_CODES for code in refusals)
    assert len(refusals) <= client_pump.MAX_STRIKES


# ---- frames that skip the frame budget (issue 22) ----------------------------------------


class ClosedBudget:
    """A frame limiter with nothing left: only the priority frames may pass it."""

    def allow(self) -> bool:
        return False


def _pump_over_budget(frames: list[bytes]) -> Recorder:
    with mock.patch.object(client_pump, "FrameLimiter", ClosedBudget):
        return _pump(frames)


def test_end_request_then_audio_is_not_an_end_request() -> None:
    """``12 00`` + an audio field parses as audio (a oneof keeps its last member): it took the
    EndRequest fast path past the frame budget, 20,000 of 20,000 parsed against 251."""
    audio_after_end = codec.client_end() + codec.client_audio(b"\x01\x00" * 8)
    code_after_end = (
        codec.client_end()
        + pb.ClientToServerMessage(code_snapshot=pb.CodeSnapshot(code="x", language="text")).SerializeToString()
    )
    seen = _pump_over_budget([audio_after_end] * 50 + [code_after_end] * 50)
    assert seen.audio == [] and seen.others == [] and seen.ends == 0
    assert _pump_over_budget([codec.client_end()]).ends == 1  # the real one still passes


def _starts_like(frame: bytes) -> st.SearchStrategy[bytes]:
    """Frames that share a prefix with ``frame`` (its first byte at least) but are not it."""
    return (
        st.tuples(st.integers(1, len(frame)), st.binary(max_size=64))
        .map(lambda t: frame[: t[0]] + t[1])
        .filter(lambda data: data != frame)
    )


@FUZZ
@given(st.data())
def test_frames_starting_with_a_fast_path_prefix_pay_the_budget(data) -> None:
    for priority in client_pump.PRIORITY_FRAMES:
        frames = data.draw(st.lists(_starts_like(priority), min_size=1, max_size=20))
        seen = _pump_over_budget(frames)
        assert seen.audio == [] and seen.others == [] and seen.ends == 0
        assert {code for code, _ in seen.rejects} <= {codes.TOO_FAST}


@FUZZ
@given(st.lists(st.one_of(_starts_like(codec.client_end()), st.just(codec.client_end())), max_size=30))
def test_frames_starting_with_a_fast_path_prefix_within_the_budget(frames) -> None:
    """Under the budget the same frames are parsed as what they are (never a crash)."""
    seen = _pump(frames)
    assert {code for code, _ in seen.rejects} <= KNOWN_CODES
    assert seen.ends >= frames.count(codec.client_end())
