"""PCM16 helpers shared by the voice, the tests and the benchmark."""

from __future__ import annotations

import numpy as np


def resample(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Resample mono PCM16 with PyAV's swresample (already a faster-whisper dependency)."""
    if src_rate == dst_rate or not pcm:
        return pcm
    import av  # imported on first use: importing this package must stay cheap

    samples = np.frombuffer(pcm, dtype=np.int16).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
    frame.sample_rate = src_rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=dst_rate)
    out = [f.to_ndarray().tobytes() for f in resampler.resample(frame)]
    out += [f.to_ndarray().tobytes() for f in resampler.resample(None)]
    return b"".join(out)


def pcm_to_float(pcm: bytes) -> np.ndarray:
    """PCM16 bytes → float32 in [-1, 1), what the VAD and Whisper take."""
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0


def silence(seconds: float, rate: int) -> bytes:
    return bytes(2 * int(round(seconds * rate)))
