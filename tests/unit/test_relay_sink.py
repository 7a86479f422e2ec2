"""The state-push queue: coalesces partials, keeps finals and order, survives a broken sink,
and follows the call to the page that takes it over."""

from __future__ import annotations

import asyncio

from preppal.realtime.sink import SinkPusher, TranscriptPush


class Recorder:
    def __init__(self, fail_first: int = 0, delay: float = 0.0) -> None:
        self.pushes: list[tuple[str, str, TranscriptPush]] = []
        self.fail_first = fail_first
        self.delay = delay

        self.batches = 0

    async def push(self, client_token, interview_id, updates) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_first > 0:
            self.fail_first -= 1
            raise RuntimeError("page gone")
        self.batches += 1
        for update in updates:  # a snapshot counts line by line
            self.pushes.extend((client_token, interview_id, u) for u in getattr(update, "segments", (update,)))


async def test_partials_coalesce_and_finals_always_arrive_in_order():
    sink = Recorder()
    pusher = SinkPusher(sink, "tok", "iv", min_interval_s=0.1)
    pusher.start()
    for i in range(1, 30):  # a burst of partial updates of one segment
        pusher.offer(TranscriptPush(segment_id=1, speaker="AI", text="x" * i))
    await asyncio.sleep(0.25)
    pusher.offer(TranscriptPush(segment_id=1, speaker="AI", text="x" * 30, final=True))
    pusher.offer(TranscriptPush(segment_id=2, speaker="USER", text="ok", final=True))
    await pusher.close()
    updates = [u for _, _, u in sink.pushes]
    assert all(t == "tok" and i == "iv" for t, i, _ in sink.pushes)
    assert len(updates) <= 5  # 29 partials collapsed
    assert updates[-2] == TranscriptPush(segment_id=1, speaker="AI", text="x" * 30, final=True)
    assert updates[-1] == TranscriptPush(segment_id=2, speaker="USER", text="ok", final=True)
    lengths = [len(u.text) for u in updates if u.segment_id == 1]
    assert lengths == sorted(lengths)  # never goes backwards


async def test_sink_errors_are_swallowed_and_later_pushes_still_go():
    sink = Recorder(fail_first=1)
    pusher = SinkPusher(sink, "tok", "iv", min_interval_s=0.01)
    pusher.start()
    pusher.offer(TranscriptPush(segment_id=2, speaker="AI", text="lost", final=True))
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
    pusher.offer(TranscriptPush(segment_id=1, speaker="AI", text="hello", final=True))
    await pusher.close()
    assert sink.pushes == []


async def test_a_page_that_takes_the_call_over_gets_everything_so_far_then_the_rest():
    sink = Recorder()
    pusher = SinkPusher(sink, "tab-a", "iv", min_interval_s=0.01)
    pusher.start()
    pusher.offer(TranscriptPush(segment_id=1, speaker="AI", text="Welcome.", final=True))
    await asyncio.sleep(0.05)
    so_far = [
        TranscriptPush(segment_id=1, speaker="AI", text="Welcome.", final=True),
        TranscriptPush(segment_id=2, speaker="USER", text="I led the", final=False),
    ]
    pusher.retarget("tab-b", so_far)
    pusher.offer(TranscriptPush(segment_id=2, speaker="USER", text="I led the migration.", final=True))
    await pusher.close()
    to_b = [u for token, _, u in sink.pushes if token == "tab-b"]
    assert [(t, u.text) for t, _, u in sink.pushes if t == "tab-a"] == [("tab-a", "Welcome.")]
    assert [u.segment_id for u in to_b[:2]] == [1, 2]  # everything so far first
    on_page = {u.segment_id: u for u in to_b}  # applied in order, as the page does
    assert sorted(on_page) == [1, 2] and on_page[2].text == "I led the migration." and on_page[2].final
    assert sink.batches <= 3  # the catch-up goes in one batch (one state lock), not one per line


async def test_a_page_without_a_token_can_still_take_the_call_over():
    sink = Recorder()
    pusher = SinkPusher(sink, "", "iv")
    pusher.start()
    pusher.retarget("tab-b", [TranscriptPush(segment_id=1, speaker="AI", text="Welcome.", final=True)])
    await pusher.close()
    assert [(t, u.text) for t, _, u in sink.pushes] == [("tab-b", "Welcome.")]
