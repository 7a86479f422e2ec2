"""Encode an interview's two voices to Opus/Ogg on a background thread, on the interview clock.

The relay only *offers* audio (:meth:`RecordingWriter.candidate` / :meth:`interviewer`): a
``put_nowait`` on a bounded queue with the arrival time, so the audio loop never waits and a
stalled writer costs dropped recording audio (counted), never live audio. Everything else —
placing audio on the timeline, encoding, flushing, uploading — happens on the writer's thread.

Timeline: sample 0 of every file is the moment the interview went live (the clock of
``TranscriptEntry.start_ms``); silence fills the gaps.

- Candidate frames arrive in real time: a frame is placed where it ended on arrival
  (``arrival − duration``) when that leaves a gap of more than :data:`GAP_TOLERANCE_S`
  (the candidate was away), otherwise right after the previous frame (network jitter
  must not chop speech).
- Interviewer audio arrives faster than real time (Gemini sends ahead): it is queued like
  the browser's player does — at ``max(arrival, end of what is queued)`` — and a barge-in
  (``Interrupted``) drops what was queued but not yet "played", as the browser does.

Files (the store, store.py, decides where they go): ``candidate.ogg`` (16 kHz),
``interviewer.ogg`` (the backend's rate), ``mix.ogg`` (both, 24 kHz: what the feedback page
plays) and ``recording.json`` (duration, rates) once complete. Ogg pages are at most
:data:`PAGE_MS` long and flushed every :data:`TICK_S`, so if the process dies, everything up to
the last flushed page stays playable.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import av
import numpy as np

from preppal.services.recordings.store import RecordingStore

log = logging.getLogger(__name__)

CANDIDATE, INTERVIEWER, MIX = "candidate", "interviewer", "mix"
FILES = {CANDIDATE: "candidate.ogg", INTERVIEWER: "interviewer.ogg", MIX: "mix.ogg"}
META = "recording.json"
CANDIDATE_RATE = 16_000
MIX_RATE = 24_000
OPUS_RATES = (8_000, 12_000, 16_000, 24_000, 48_000)
BIT_RATE = 24_000  # mono speech; ≈ 180 KB per minute per file
PAGE_MS = 250
TICK_S = 0.2  # how often queued audio is encoded and flushed
CANDIDATE_LAG_S = 0.5  # candidate audio is encoded this far behind real time (jitter room)
GAP_TOLERANCE_S = 0.2
MAX_QUEUE = 4_000  # messages (≈ 80 s of candidate frames plus interviewer chunks)

_AUDIO_CAND, _AUDIO_AI, _INTERRUPT, _CLOSE = range(4)


@dataclass(frozen=True, slots=True)
class RecordingResult:
    duration_ms: int
    dropped: int  # messages refused because the queue was full
    complete: bool  # False when the writer failed (what was flushed is still stored)


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def _convert_rate(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Linear resampling for the rare chunk at an unexpected rate (quality is secondary)."""
    if src == dst or not len(x):
        return x
    n = max(1, round(len(x) * dst / src))
    return np.interp(np.arange(n) * (src / dst), np.arange(len(x)), x).astype(np.float32)


class Lane:
    """Audio of one voice placed on the interview clock, encoded up to a moving horizon.

    ``cursor`` samples have been handed out by :meth:`take`; the pending buffer holds the
    samples from ``cursor`` to :attr:`end` (zeros where nothing was placed)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.cursor = 0
        self._buf = np.zeros(rate, dtype=np.float32)
        self._len = 0

    @property
    def end(self) -> int:
        return self.cursor + self._len

    def place(self, start: int, x: np.ndarray) -> None:
        if start < self.cursor:  # too late for what was already encoded: keep the rest
            x = x[self.cursor - start :]
            start = self.cursor
        offset, need = start - self.cursor, start - self.cursor + len(x)
        if need > len(self._buf):
            grown = np.zeros(max(need, 2 * len(self._buf)), dtype=np.float32)
            grown[: self._len] = self._buf[: self._len]
            self._buf = grown
        if offset > self._len:
            self._buf[self._len : offset] = 0.0
        self._buf[offset:need] = x
        self._len = max(self._len, need)

    def truncate(self, at: int) -> None:
        """Forget pending audio from sample ``at`` on (a barge-in)."""
        self._len = min(self._len, max(0, at - self.cursor))

    def take(self, upto: int) -> np.ndarray:
        n = upto - self.cursor
        if n <= 0:
            return np.zeros(0, dtype=np.float32)
        out = np.zeros(n, dtype=np.float32)
        k = min(n, self._len)
        out[:k] = self._buf[:k]
        rest = self._len - k
        self._buf[:rest] = self._buf[k : k + rest]
        self._len, self.cursor = rest, upto
        return out


class OggOpusFile:
    """One mono Opus stream in an Ogg file, written as it goes."""

    def __init__(self, path: Path, rate: int) -> None:
        self.path, self.rate, self.samples = path, rate, 0
        self._file = open(path, "wb")
        self._container = av.open(self._file, "w", format="ogg", options={"page_duration": str(PAGE_MS * 1000)})
        self._stream = self._container.add_stream("libopus", rate=rate, layout="mono")
        self._stream.bit_rate = BIT_RATE
        # libopus complexity 2: ~25 % less CPU than 5 and ~half of the default 10 for the same
        # bytes (bench/recording_cost.py); the encode itself runs without the GIL (PyAV)
        self._stream.codec_context.options = {"compression_level": "2", "application": "voip"}

    def write(self, x: np.ndarray) -> None:
        if not len(x):
            return
        samples = np.ascontiguousarray(x, dtype=np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
        frame.sample_rate, frame.pts = self.rate, self.samples
        self.samples += len(x)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        finally:
            self._file.close()
            # FFmpeg's encoder is torn down here, on the writer's thread: left to the garbage
            # of whoever drops the writer last, it ran on the event loop (an 83 ms stall at the
            # end of a call, seen by the loop guard under load).
            self._stream = self._container = None


class Mixer:
    """Sums the two voices' encoded streams (each continuous from t=0) into one at MIX_RATE."""

    def __init__(self, out: OggOpusFile, rates: dict[str, int]) -> None:
        self.out = out
        self._resample = {
            name: None if rate == MIX_RATE else av.AudioResampler(format="flt", layout="mono", rate=MIX_RATE)
            for name, rate in rates.items()
        }
        self._rates = rates
        self._fifo: dict[str, list[np.ndarray]] = {name: [] for name in rates}

    def feed(self, name: str, x: np.ndarray, *, final: bool = False) -> None:
        resampler = self._resample[name]
        if resampler is None:
            if len(x):
                self._fifo[name].append(x)
            return
        frames = []
        if len(x):
            frame = av.AudioFrame.from_ndarray(x[None, :], format="flt", layout="mono")
            frame.sample_rate = self._rates[name]
            frames += resampler.resample(frame)
        if final:
            frames += resampler.resample(None)
        self._fifo[name] += [f.to_ndarray()[0] for f in frames]

    def emit(self, *, final: bool = False) -> None:
        empty = np.zeros(0, np.float32)
        streams = {name: np.concatenate(parts) if parts else empty for name, parts in self._fifo.items()}
        n = max(map(len, streams.values())) if final else min(map(len, streams.values()))
        if n <= 0:
            return
        mixed = np.zeros(n, dtype=np.float32)
        for name, x in streams.items():
            k = min(n, len(x))
            mixed[:k] += x[:k]
            self._fifo[name] = [x[k:]] if len(x) > k else []
        self.out.write(np.clip(mixed, -1.0, 1.0))


class RecordingWriter:
    """One interview's recording: a bounded queue in, a thread that encodes and stores."""

    def __init__(
        self,
        store: RecordingStore,
        interview_id: str,
        *,
        origin: float,
        interviewer_rate: int,
        checkpoint_s: float = 10.0,
        clock=time.monotonic,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        self.store, self.interview_id = store, interview_id
        self._origin, self._clock = origin, clock
        self._ai_rate = interviewer_rate if interviewer_rate in OPUS_RATES else 48_000
        self._checkpoint_s = checkpoint_s
        self._queue: queue.Queue = queue.Queue(max_queue)
        self._thread = threading.Thread(target=self._run, name=f"recording-{interview_id[:8]}", daemon=True)
        self._closing = False
        self._files: dict[str, OggOpusFile] = {}
        self.dropped = 0
        self.failed = False
        self.result: Optional[RecordingResult] = None

    # -- producer side: called on the event loop, never blocks -------------------------------
    def start(self) -> None:
        self._thread.start()

    def candidate(self, pcm: bytes) -> None:
        self._offer((_AUDIO_CAND, self._clock(), pcm, CANDIDATE_RATE))

    def interviewer(self, pcm: bytes, rate: int) -> None:
        self._offer((_AUDIO_AI, self._clock(), pcm, rate))

    def interrupted(self) -> None:
        self._offer((_INTERRUPT, self._clock(), b"", 0))

    def _offer(self, item: tuple) -> None:
        if self._closing or self.failed:
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1

    def close(self, timeout_s: float = 30.0) -> RecordingResult:
        """Encode what is queued, complete the files and store them. Blocks: call in a thread."""
        self._closing = True
        if self._thread.is_alive():
            try:
                self._queue.put((_CLOSE, self._clock(), b"", 0), timeout=timeout_s)
            except queue.Full:
                log.warning("recording of %s: writer stuck, closing without it", self.interview_id)
            self._thread.join(timeout_s)
        return self.result or RecordingResult(self._duration_ms(), self.dropped, complete=False)

    # -- the writer thread ---------------------------------------------------------------------
    def _at(self, t: float, rate: int) -> int:
        return round((t - self._origin) * rate)

    def _duration_ms(self) -> int:
        f = self._files.get(MIX)
        return f.samples * 1000 // f.rate if f else 0

    def _run(self) -> None:
        try:
            self._open()
            next_commit = next_checkpoint = self._clock()
            seen = self._origin  # the latest moment whose audio is all placed
            while True:
                try:
                    item = self._queue.get(timeout=max(0.0, next_commit - self._clock()))
                except queue.Empty:
                    item = None
                if item is not None and item[0] == _CLOSE:
                    closed_at = item[1]
                    break
                if item is not None:
                    self._apply(*item)
                    seen = max(seen, item[1])
                now = self._clock()
                if self._queue.empty():  # everything offered before `now` has been applied
                    seen = max(seen, now)
                if now >= next_commit:
                    self._commit(seen)  # never past audio still waiting in the queue
                    next_commit = now + TICK_S
                if now >= next_checkpoint:
                    self._checkpoint()
                    next_checkpoint = now + self._checkpoint_s
            self._finish(closed_at)
        except Exception:
            self.failed = True
            log.exception("recording of %s failed; what was flushed is kept", self.interview_id)
            self._checkpoint()

    def _open(self) -> None:
        rates = {CANDIDATE: CANDIDATE_RATE, INTERVIEWER: self._ai_rate, MIX: MIX_RATE}
        for name, rate in rates.items():
            self._files[name] = OggOpusFile(self.store.spool_path(self.interview_id, FILES[name]), rate)
        self._lanes = {CANDIDATE: Lane(CANDIDATE_RATE), INTERVIEWER: Lane(self._ai_rate)}
        self._mixer = Mixer(self._files[MIX], {CANDIDATE: CANDIDATE_RATE, INTERVIEWER: self._ai_rate})

    def _apply(self, kind: int, t: float, pcm: bytes, rate: int) -> None:
        if kind == _AUDIO_CAND:
            lane, x = self._lanes[CANDIDATE], pcm16_to_float(pcm)
            ideal = self._at(t, lane.rate) - len(x)  # the frame ended when it arrived
            tolerance = round(GAP_TOLERANCE_S * lane.rate)
            lane.place(ideal if ideal > lane.end + tolerance else lane.end, x)
        elif kind == _AUDIO_AI:
            lane = self._lanes[INTERVIEWER]
            x = _convert_rate(pcm16_to_float(pcm), rate, lane.rate)
            lane.place(max(lane.end, self._at(t, lane.rate)), x)
        elif kind == _INTERRUPT:
            lane = self._lanes[INTERVIEWER]
            lane.truncate(self._at(t, lane.rate))

    def _encode(self, name: str, upto: int, *, final: bool = False) -> None:
        x = self._lanes[name].take(upto)
        self._files[name].write(x)
        self._mixer.feed(name, x, final=final)

    def _commit(self, now: float) -> None:
        cand = self._lanes[CANDIDATE]
        self._encode(CANDIDATE, max(cand.cursor, self._at(now - CANDIDATE_LAG_S, cand.rate)))
        self._encode(INTERVIEWER, self._at(now, self._lanes[INTERVIEWER].rate))
        self._mixer.emit()
        for f in self._files.values():
            f.flush()

    def _checkpoint(self) -> None:
        for name, f in self._files.items():
            try:
                f.flush()
                self.store.checkpoint(self.interview_id, FILES[name], f.path)
            except Exception as exc:  # the next checkpoint retries with everything since
                log.warning("recording checkpoint of %s/%s failed: %r", self.interview_id, name, exc)

    def _finish(self, closed_at: float) -> None:
        """Both voices run to the end of the call (or the last queued sound, if later); then
        the files are completed and stored."""
        end_s = max(closed_at - self._origin, *(lane.end / lane.rate for lane in self._lanes.values()))
        for name, lane in self._lanes.items():
            self._encode(name, max(lane.cursor, round(end_s * lane.rate)), final=True)
        self._mixer.emit(final=True)
        self._mixer = None  # its resamplers are freed on this thread too (see OggOpusFile.close)
        for f in self._files.values():
            f.close()
        for name, f in self._files.items():
            self.store.finish(self.interview_id, FILES[name], f.path)
        meta = {
            "duration_ms": self._duration_ms(),
            "rates": {name: f.rate for name, f in self._files.items()},
            "dropped": self.dropped,
        }
        self.store.put_bytes(self.interview_id, META, json.dumps(meta).encode())
        self.result = RecordingResult(meta["duration_ms"], self.dropped, complete=True)
