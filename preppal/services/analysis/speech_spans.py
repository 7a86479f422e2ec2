"""Where a recorded track has speech: Silero's spans (faster-whisper's ``get_speech_timestamps``,
the same Silero file the live turn-taking streams) with their edges moved to the sample.

The post-call delivery metrics (:mod:`preppal.services.analysis.audio_metrics`) measure
pauses, speaking time and the time to the first word on these spans; they live apart because
they are signal processing on one track, while the metrics module is about answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

RATE = 16_000
WINDOW = 512  # Silero's window at 16 kHz (32 ms)
WINDOW_MS = WINDOW * 1000 // RATE
SPEECH_THRESHOLD = 0.5  # Silero's probability that starts speech …
SILENCE_THRESHOLD = 0.35  # … and the one below which it ends (hysteresis)
MIN_SPEECH_MS = 96  # shorter blips (clicks, breaths) are not speech
MERGE_GAP_MS = 160  # closer spans are one (gaps between words)
EDGE_SEARCH_MS = 240  # span edges are refined to the sample within this distance of Silero's
QUIETEST = 1e-3  # -60 dBFS: quieter samples are never speech


@dataclass(frozen=True)
class Span:
    start_ms: int
    end_ms: int

    @property
    def ms(self) -> int:
        return self.end_ms - self.start_ms


def _floor(pcm: np.ndarray, lo: int, hi: int) -> Optional[float]:
    """The level that is still silence in ``pcm[lo:hi]`` (twice its 99th-percentile sample);
    None when that is under 20 ms, too little to tell."""
    if hi - lo < RATE // 50:
        return None
    return max(QUIETEST, 2 * float(np.percentile(np.abs(pcm[max(0, lo) : hi]), 99)))


def refine_edges(pcm: np.ndarray, spans: list[Span]) -> list[Span]:
    """Move each span edge to the first/last sample above the noise of the silence beside it.

    Silero decides *whether* a 32 ms window is speech; its edges lag or lead by a window or
    two and it often calls a trailing fricative silence. Pause lengths and positions want the
    sample where the voice starts and stops. The noise level comes from the silence next to
    the edge, kept ``EDGE_SEARCH_MS`` away from Silero's edges (a silence too short for that
    uses the track's typical level), never below -60 dBFS; the search reaches
    ``EDGE_SEARCH_MS`` beyond Silero's edge and never into a neighbouring span.
    """
    reach = EDGE_SEARCH_MS * RATE // 1000
    edges = [(s.start_ms * RATE // 1000, s.end_ms * RATE // 1000) for s in spans]
    # silences around each span, away from speech: [before the first, between each, after the last]
    bounds = [0] + [x for a, b in edges for x in (a, b)] + [len(pcm)]
    silences = [(bounds[i] + (reach if i else 0), bounds[i + 1] - reach) for i in range(0, len(bounds) - 2, 2)]
    silences.append((bounds[-2] + reach, bounds[-1]))
    floors = [_floor(pcm, lo, hi) for lo, hi in silences]
    known = [f for f in floors if f is not None]
    typical = float(np.median(known)) if known else QUIETEST
    levels = [typical if f is None else f for f in floors]
    out: list[Span] = []
    for k, (a, b) in enumerate(edges):
        lo_bound = out[-1].end_ms * RATE // 1000 if out else 0
        hi_bound = edges[k + 1][0] if k + 1 < len(edges) else len(pcm)
        head_from = max(lo_bound, a - reach)
        head = np.flatnonzero(np.abs(pcm[head_from:b]) > levels[k])
        start = head_from + int(head[0]) if head.size else a
        tail_to = min(hi_bound, b + reach)
        tail = np.flatnonzero(np.abs(pcm[start:tail_to]) > levels[k + 1])
        end = start + int(tail[-1]) + 1 if tail.size else b
        out.append(Span(start * 1000 // RATE, max(start + 1, end) * 1000 // RATE))
    return out


def vad_spans(pcm: np.ndarray) -> list[Span]:
    """Silero's speech spans over a whole track, window-aligned (32 ms): faster-whisper's
    ``get_speech_timestamps`` (its Silero v6 session, batched), no padding, blips under
    ``MIN_SPEECH_MS`` dropped, gaps under ``MERGE_GAP_MS`` bridged."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # the package loads CTranslate2

    options = VadOptions(
        threshold=SPEECH_THRESHOLD,
        neg_threshold=SILENCE_THRESHOLD,
        min_speech_duration_ms=MIN_SPEECH_MS,
        min_silence_duration_ms=MERGE_GAP_MS,
        speech_pad_ms=0,
    )
    stamps = get_speech_timestamps(np.ascontiguousarray(pcm, dtype=np.float32), options, sampling_rate=RATE)
    return [Span(s["start"] * 1000 // RATE, s["end"] * 1000 // RATE) for s in stamps]


def track_spans(pcm: np.ndarray) -> list[Span]:
    """Where one recorded track has speech (Silero spans, sample-refined edges)."""
    return refine_edges(pcm, vad_spans(pcm)) if len(pcm) else []
