"""The state-push queue: coalesces partials, keeps finals and order, survives a broken sink."""

from __future__ import annotations

import asyncio

from preppal.realtime.sink import SinkPusher, TranscriptPush


class Recorder:
    def __init__(self, fail_first: int = 0, delay: float = 0.0) -> None:
        self.pushes: list[tuple[str, str, TranscriptPush]] = []
        self.fail_first = fail_first
        self.delay = delay

    async def push(self, client_token, interview_id, update) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_first > 0:
            self.fail_first -= 1
            raise RuntimeError("page gone")
        self.pushes.append((client_token, interview_id, update))


async def test_partials_coalesce_finals_and_status_always_arrive_in_order():
    sink = Recorder()
    pusher = SinkPusher(sink, "tok", "iv", min_interval_s=0.1)
    pusher.start()
    for i in range(1, 30):  # a burst of partial updates of one segment
        pusher.offer(TranscriptPush(segment_id=1, speaker="AI", text="x" * i))
    await asyncio.sleep(0.25)
    pusher.offer(TranscriptPush(segment_id=1, speaker="AI", text="x" * 30, final=True))
    pusher.offer(TranscriptPush(phase="ended", end_reason="USER_INITIATED"))
    await pusher.close()
    updates = [u for _, _, u in sink.pushes]
    assert all(t == "tok" and i == "iv" for t, i, _ in sink.pushes)
    assert len(updates) <= 5  # 29 partials collapsed
    assert updates[-2] == TranscriptPush(segment_id=1, speaker="AI", text="x" * 30, final=True)
    assert updates[-1].phase == "ended"
    lengths = [len(u.text) for u in updates if u.segment_id]
    assert lengths == sorted(lengths)  # never goes backwards


async def test_sink_errors_are_swallowed_and_later_pushes_still_go():
    sink = Recorder(fail_first=1)
    pusher = SinkPusher(sink, "tok", "iv", min_interval_s=0.01)
    pusher.start()
    pusher.offer(TranscriptPush(phase="live"))
    await asyncio.sleep(0.05)
    pusher.offer(TranscriptPush(segment_id=3, speaker="USER", text="hi", final=True))
    await pusher.close()
    assert pusher.errors == 1
    assert [u.text for _, _, u in sink.pushes] == ["hi"]


async def test_offer_never_waits_for_a_slow_sink():
    sink = Recorder(delay=0.5)
    pusher = SinkPusher(sink, "tok", "iv")
    pusher.start()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(1000):
        pusher.offer(TranscriptPush(segment_id=1 + i % 3, speaker="AI", text=str(i), final=i % 100 == 0))
    assert loop.time() - start < 0.1  # generous bound; offer is a dict write
    await pusher.close(timeout_s=0.2)  # bounded even though the sink is slow


async def test_no_client_token_means_no_pushes():
    sink = Recorder()
    pusher = SinkPusher(sink, "", "iv")
    pusher.start()
    pusher.offer(TranscriptPush(phase="live"))
    await pusher.close()
    assert sink.pushes == []
