"""Input limits: a frame-size cap and a real-time rate limiter for candidate audio.

A browser sends 20 ms frames (640 bytes of 16 kHz PCM16). After a network stall its
socket flushes a backlog at once, so the limiter allows a burst (``burst_s`` of audio)
and a little slack over real time before it starts dropping.
"""

from __future__ import annotations

import time

from preppal.editor import MAX_CODE_BYTES
from preppal.live.base import INPUT_SAMPLE_RATE

BYTES_PER_SECOND = INPUT_SAMPLE_RATE * 2  # PCM16 mono
MAX_AUDIO_BYTES = 64 * 1024  # ~2 s of audio in one chunk: far above any real frame
# Checked before parsing. Room for a code snapshot twice over its cap, so an oversized
# snapshot gets its own plain error (4007) instead of a closed socket.
MAX_FRAME_BYTES = 2 * MAX_CODE_BYTES


class RealTimeLimiter:
    """Token bucket in bytes of audio: refills at ``slack`` × real time, holds ``burst_s``."""

    __slots__ = ("_capacity", "_clock", "_last", "_rate", "_tokens")

    def __init__(self, *, burst_s: float = 2.0, slack: float = 1.25, clock=time.monotonic) -> None:
        self._rate = BYTES_PER_SECOND * slack
        self._capacity = BYTES_PER_SECOND * burst_s
        self._tokens = self._capacity
        self._clock = clock
        self._last = clock()

    def allow(self, nbytes: int) -> bool:
        """Spend ``nbytes`` if the budget has them; False means drop this frame."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if nbytes > self._tokens:
            return False
        self._tokens -= nbytes
        return True


class FrameLimiter:
    """Token bucket in frames: bytes alone do not bound the work, since every frame costs a
    receive and a protobuf parse however small it is (a flood of empty chunks). A browser
    sends 25–50 frames a second; ``rate`` leaves room for that plus a reconnect backlog."""

    __slots__ = ("_capacity", "_clock", "_last", "_rate", "_tokens")

    def __init__(self, *, rate: float = 120.0, burst: float = 250.0, clock=time.monotonic) -> None:
        self._rate = rate
        self._capacity = burst
        self._tokens = burst
        self._clock = clock
        self._last = clock()

    def allow(self) -> bool:
        """Spend one frame; False means drop it unparsed."""
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class Throttle:
    """At most one occurrence per ``interval_s`` (so errors about a flood don't flood)."""

    __slots__ = ("_clock", "_interval", "_next")

    def __init__(self, interval_s: float = 1.0, clock=time.monotonic) -> None:
        self._interval = interval_s
        self._clock = clock
        self._next = 0.0

    def ready(self) -> bool:
        now = self._clock()
        if now < self._next:
            return False
        self._next = now + self._interval
        return True
