"""Semantic end of turn: pipecat's Smart Turn v3.2 model, read from the ``pipecat-ai`` wheel.

The model (BSD-2, 8.7 MB int8 ONNX) hears the last 8 s of the candidate's audio and says
whether the turn sounds finished — words *and* intonation, no transcript needed. Only the
model file and its numpy-only feature extractor are used: ``pipecat-ai`` is installed
without its dependencies because its requirements conflict with ours (``protobuf<7``) and
would add ≈ 30 packages we do not run (see docs/performance.md, "Semantic end of turn").
The model's input is Whisper-style log-mel features (80 × 800 over 8 s). The int8 model is
sensitive to them: faster-whisper's float32 extractor differs from pipecat's float64 one
by < 2e-5 yet moves some probabilities by 0.1, so we run pipecat's own extractor, loaded
from its file (``pipecat/__init__`` imports loguru, which is not installed, so the package
itself is never imported).

:meth:`SmartTurn.probability` blocks for tens of ms: call it on :data:`JUDGE`, never on the
event loop. A missing or damaged model is not fatal: :func:`load_smart_turn` logs why and
returns ``None``, and turn-taking falls back to the silence rule.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import numpy as np

from preppal.live.offline.turn_policy import EndOfTurn, TurnPolicy
from preppal.live.offline.vad import PauseCheck, TurnDetector, TurnStats
from preppal.speech.errors import ModelUnavailable
from preppal.speech.pinned import sha256

log = logging.getLogger(__name__)

DISTRIBUTION = "pipecat-ai"
INSTALL_HINT = "pip install --no-deps pipecat-ai==1.14.0"
MODEL_IN_WHEEL = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
FEATURES_IN_WHEEL = "pipecat/audio/turn/smart_turn/_whisper_features.py"
# From the pipecat-ai 1.14.0 wheel's RECORD: a changed or damaged file is refused, not used.
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
FEATURES_SHA256 = "139b047d10dee42ad5b4894489012e515a882d8f5e2bffe8ad27b30728fc9968"
RATE = 16_000
CONTEXT_S = 8  # the model's input: the last 8 s, zero-padded at the front when shorter
COMPLETE = TurnPolicy.complete  # the model's own decision threshold
# Turn checks run here, apart from Whisper's DECODER, so a decision never queues behind a decode.
JUDGE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preppal-turn")


def _in_wheel(name: str) -> Path:
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"The end-of-turn model is not installed. Run: {INSTALL_HINT}") from exc
    return Path(str(dist.locate_file(name)))


def default_model_path() -> Path:
    return _in_wheel(MODEL_IN_WHEEL)


def _load_features(fix: str) -> Callable[[np.ndarray], np.ndarray]:
    """pipecat's ``compute_whisper_log_mel_features`` (numpy only), from its pinned file."""
    path = _in_wheel(FEATURES_IN_WHEEL)
    if not path.is_file() or sha256(path) != FEATURES_SHA256:
        raise ModelUnavailable(f"The end-of-turn model's feature code {path} is missing or changed. {fix}")
    spec = importlib.util.spec_from_file_location("preppal_smart_turn_features", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compute_whisper_log_mel_features


class SmartTurn:
    """A loaded Smart Turn v3.2 session (one per process; one call at a time on :data:`JUDGE`)."""

    def __init__(self, model_path: Path | None = None, verify: bool = True) -> None:
        path = Path(model_path) if model_path else default_model_path()
        fix = f"Reinstall it with: {INSTALL_HINT} --force-reinstall"
        if not path.is_file():
            raise ModelUnavailable(f"The end-of-turn model {path} is missing. {fix}")
        if verify and sha256(path) != MODEL_SHA256:  # ≈ 10 ms, once per process
            raise ModelUnavailable(f"The end-of-turn model {path} is not the pinned Smart Turn v3.2 file. {fix}")
        self._features = _load_features(fix)
        try:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.inter_op_num_threads = 1
            options.intra_op_num_threads = 1  # the 2nd core is Whisper's
            options.log_severity_level = 4
            self._session = onnxruntime.InferenceSession(
                str(path), providers=["CPUExecutionProvider"], sess_options=options
            )
            self.probability(np.zeros(RATE, dtype=np.float32))  # proves the file runs
        except Exception as exc:
            raise ModelUnavailable(
                f"The end-of-turn model {path} could not be loaded ({type(exc).__name__}: {str(exc)[:160]}). {fix}"
            ) from exc

    def probability(self, audio: np.ndarray) -> float:
        """P(the turn is complete) for 16 kHz float32 audio ending now (its last 8 s count)."""
        n = RATE * CONTEXT_S
        x = np.asarray(audio[-n:], dtype=np.float32)
        x = np.pad(x, (n - x.size, 0)) if x.size < n else x
        features = self._features(x, do_normalize=True)  # (80, 800) float32
        (out,) = self._session.run(None, {"input_features": features[np.newaxis]})
        return float(np.asarray(out).reshape(-1)[0])


def load_smart_turn(model_path: Path | None = None) -> SmartTurn | None:
    """The model, or ``None`` (logged) when it is missing or damaged: the silence rule then decides."""
    try:
        return SmartTurn(model_path)
    except ModelUnavailable as exc:
        log.warning("semantic end of turn is off, using the silence rule: %s", exc)
        return None


class TurnJudge:
    """Asks the model about one stream's pauses, on :data:`JUDGE`; its verdicts go to :class:`EndOfTurn`.

    Only the newest question of a pause is answered (it hears the most): under load, questions
    must not pile up behind a slow model.
    """

    def __init__(
        self,
        model: SmartTurn,
        detector: TurnDetector,
        end_of_turn: EndOfTurn,
        guard: Callable[[Awaitable[None]], Awaitable[None]],
        stats: TurnStats,
    ) -> None:
        self._model = model
        self._detector = detector
        self._end_of_turn = end_of_turn
        self._guard = guard  # the owner's error handling for background tasks
        self._latest: PauseCheck | None = None
        self.pending: set[asyncio.Task[None]] = set()
        self._stats = stats

    def ask(self, check: PauseCheck) -> None:
        self._latest = check
        task = asyncio.create_task(self._guard(self._ask(check)))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _ask(self, check: PauseCheck) -> None:
        probability = await asyncio.get_running_loop().run_in_executor(JUDGE, self._judge, check)
        if probability is None:
            return
        self._stats.checks += 1
        self._end_of_turn.verdict(check, probability)

    def _judge(self, check: PauseCheck) -> float | None:
        """On JUDGE. None: the candidate went on, a newer question waits, or the model failed (the cap decides)."""
        if check.pause != self._detector.pause or check is not self._latest:
            return None
        try:
            return self._model.probability(check.audio)
        except Exception:
            log.exception("end-of-turn model failed; this pause ends by the silence cap")
            return None

    async def close(self) -> None:
        for task in self.pending:
            task.cancel()
        await asyncio.gather(*self.pending, return_exceptions=True)
