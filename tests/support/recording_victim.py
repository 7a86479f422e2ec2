"""A process that records ~4 s of an interview and then waits to be killed (SIGKILL) mid-call.

Usage: python -m tests.support.recording_victim <recordings-dir> <interview-id>
Prints "flushed" once the writer has had time to flush; it never closes the recording."""

from __future__ import annotations

import sys
import time

import numpy as np

from preppal.services.recordings.store import LocalStore
from preppal.services.recordings.writer import TICK_S, RecordingWriter

RATE = 16_000


def main() -> None:
    root, interview_id = sys.argv[1], sys.argv[2]
    clock = [0.0]
    writer = RecordingWriter(
        LocalStore(root), interview_id, origin=0.0, interviewer_rate=24_000, clock=lambda: clock[0]
    )
    writer.start()
    for i in range(100):  # 4 s of silence with a click at 1.0 s, 40 ms frames
        clock[0] = 0.04 * (i + 1)
        frame = np.zeros(640, dtype="<i2")
        if i == 25:
            frame[:8] = 30_000  # arrives at 1.04 s: placed at 1.0 s
        writer.candidate(frame.tobytes())
        time.sleep(0.002)
    while writer._queue.qsize():  # everything offered is placed...
        time.sleep(0.01)
    clock[0] = 4.6  # ...and time goes on, as it would in a live call
    time.sleep(4 * TICK_S)  # let it encode and flush what is due
    print("flushed", flush=True)
    time.sleep(60)  # the test kills us here


if __name__ == "__main__":
    main()
