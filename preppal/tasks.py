"""Background work that lives as long as the server (registered as Reflex lifespan tasks).

Created inside the lifespan, never at import time: granian forks workers after importing
the app, and a task or socket made before the fork would be shared by every worker.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from preppal import display, gemini_status
from preppal.services import rate_limit
from preppal.services.feedback import jobs
from preppal.services.interviews import worker_tokens
from preppal.services.recordings.store import RecordingStore
from preppal.settings import get_settings

log = logging.getLogger("preppal.tasks")
PURGE_EVERY_S = 60.0


def purge_expired_rows() -> None:
    """Rows that only matter until a time has passed: rate-limit windows that have ended and
    spent worker-token ids of expired tokens."""
    rate_limit.purge_expired()
    worker_tokens.purge_spent_tokens()


async def purge_rate_limits() -> None:
    """Housekeeping once a minute: :func:`purge_expired_rows`.

    (Interviews a dead relay left IN_PROGRESS are the relay hub's: RelayHub.sweep.)"""
    while True:
        try:
            await asyncio.to_thread(purge_expired_rows)
        except Exception:  # a database hiccup must not kill the loop
            log.exception("housekeeping purge failed; will retry")
        await asyncio.sleep(PURGE_EVERY_S)


RECOVER_EVERY_S = 3600.0


async def recover_recordings(store: RecordingStore) -> None:
    """Recordings whose process died mid-call (S3: spool files nobody writes any more) are
    stored from what was flushed; at start-up, then hourly. Untouched for longer than an
    interview can last plus an hour means no writer is left."""
    while True:
        try:
            older_than = get_settings().max_session_s + 3600
            recovered = await asyncio.to_thread(store.recover_spool, older_than)
            if recovered:
                log.warning(
                    "stored %d recording(s) left by a stopped process: %s", len(recovered), ", ".join(recovered)
                )
        except Exception:  # storage down: try again next time
            log.exception("recording recovery failed; will retry")
        await asyncio.sleep(RECOVER_EVERY_S)


def _warm_gemini_types() -> None:
    from preppal.live.gemini_config import warm_types

    try:
        warm_types()
    except Exception as exc:  # only a warm-up: the call builds its own config
        log.warning("Gemini warm-up failed: %s", exc)


async def check_gemini_models() -> None:
    """With a key: the model check at start and on a timer (preppal/live/model_check.py), on
    threads. When it turns Gemini off and ``auto`` falls back to the offline interviewer, its
    models are loaded then (a server with a working key never pays for them)."""
    from preppal.live import model_check

    def fall_back() -> None:
        if get_settings().interviewer == "auto":
            _load_offline_models()

    await model_check.keep_checking(on_unavailable=fall_back)


def _load_offline_models() -> None:
    from preppal.live.offline.engines import load_engines  # heavy imports only when it is used

    started = time.monotonic()
    try:
        load_engines()
        log.info("offline interviewer ready (models loaded in %.1f s)", time.monotonic() - started)
    except Exception as exc:  # the interview's start() reports it to the candidate
        log.warning("offline interviewer warm-up failed: %s", exc)


async def warm_up(warmed: threading.Event | None = None) -> None:
    """Start-up work that should not delay serving: the offline interviewer's models (so the
    first call starts in a second, not ten) and the date/number locales.

    Everything runs on threads. Still, loading the models (imports of C extensions, the
    CTranslate2 constructor) holds the GIL for up to ~0.5 s at a time, which stalls this
    worker's event loop once while it warms up; ``warmed`` is set when that is over (the
    loop watchdog reports stalls before it as start-up stalls).
    """
    try:
        await asyncio.to_thread(display.preload_locales)
        if gemini_status.interviewer_in_use() == "gemini":
            await asyncio.to_thread(_warm_gemini_types)
        else:
            await asyncio.to_thread(_load_offline_models)
    finally:
        if warmed is not None:
            warmed.set()


async def feedback_jobs(recordings: RecordingStore) -> None:
    """``PREPPAL_JOBS=inprocess`` (the default): this process runs the feedback the database
    owes (services/feedback/jobs.run_in_process), on a thread of its own so no pool a request
    or the relay uses is held, measuring from ``recordings`` (the process's store); with
    ``worker`` the ``preppal worker`` processes do, and this returns."""
    if get_settings().jobs != "inprocess":
        return
    stop = threading.Event()
    threading.Thread(target=jobs.run_in_process, args=(stop, recordings), name="feedback-jobs", daemon=True).start()
    try:
        await asyncio.Event().wait()  # until the server stops (the lifespan cancels this task)
    finally:
        stop.set()
