"""Input limits: the real-time token bucket and the error throttle."""

from __future__ import annotations

from preppal.realtime.limits import BYTES_PER_SECOND, RealTimeLimiter, Throttle

FRAME = 640


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_real_time_stream_is_never_limited():
    clock = FakeClock()
    limiter = RealTimeLimiter(clock=clock)
    for _ in range(50 * 60):  # one minute of 20 ms frames
        clock.now += 0.02
        assert limiter.allow(FRAME)


def test_burst_is_allowed_up_to_capacity_then_dropped():
    clock = FakeClock()
    limiter = RealTimeLimiter(burst_s=2.0, slack=1.25, clock=clock)
    accepted = sum(limiter.allow(FRAME) for _ in range(500))  # 10 s of audio at once
    assert accepted == 2 * BYTES_PER_SECOND // FRAME
    clock.now += 1.0  # one second later, 1.25 s of audio has refilled
    accepted = sum(limiter.allow(FRAME) for _ in range(500))
    assert accepted == int(1.25 * BYTES_PER_SECOND) // FRAME


def test_sustained_double_speed_is_cut_to_the_slack_rate():
    clock = FakeClock()
    limiter = RealTimeLimiter(burst_s=0.5, slack=1.25, clock=clock)
    accepted = 0
    for _ in range(100 * 20):  # 20 s of 2x real time
        clock.now += 0.01
        accepted += limiter.allow(FRAME)
    seconds_of_audio = accepted * FRAME / BYTES_PER_SECOND
    assert 20 * 1.25 <= seconds_of_audio <= 20 * 1.25 + 0.6


def test_throttle_allows_one_per_interval():
    clock = FakeClock()
    throttle = Throttle(1.0, clock=clock)
    assert throttle.ready()
    assert not throttle.ready()
    clock.now += 0.99
    assert not throttle.ready()
    clock.now += 0.02
    assert throttle.ready()


def test_frame_limiter_counts_frames_not_bytes():
    from preppal.realtime.limits import FrameLimiter

    clock = FakeClock()
    frames = FrameLimiter(rate=100.0, burst=200.0, clock=clock)
    assert sum(frames.allow() for _ in range(1_000)) == 200  # a burst of tiny frames
    clock.now += 1.0
    assert sum(frames.allow() for _ in range(1_000)) == 100
    for _ in range(50 * 60):  # a browser's 20 ms frames for a minute are never limited
        clock.now += 0.02
        assert frames.allow()
