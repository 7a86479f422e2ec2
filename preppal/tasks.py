"""Background work that lives as long as the server (registered as Reflex lifespan tasks).

Created inside the lifespan, never at import time: granian forks workers after importing
the app, and a task or socket made before the fork would be shared by every worker.
"""

from __future__ import annotations

import asyncio
import logging

from preppal import display
from preppal.services import feedback, interviews
from preppal.settings import get_settings

log = logging.getLogger("preppal.tasks")
SWEEP_EVERY_S = 60.0


async def sweep_orphaned_interviews() -> None:
    """Crash recovery: interviews left IN_PROGRESS by a dead relay become ERROR.

    Runs at start-up and then every minute; the heartbeat cut-off keeps it from touching
    interviews that another worker is still relaying.
    """
    while True:
        try:
            swept = await asyncio.to_thread(interviews.sweep_orphaned)
            if swept:
                log.warning("marked %d orphaned interview(s) as ERROR: %s", len(swept), ", ".join(swept))
        except Exception:  # a database hiccup must not kill the loop
            log.exception("orphan sweep failed; will retry")
        await asyncio.sleep(SWEEP_EVERY_S)


def _start_offline_preload() -> None:
    from preppal.live.offline import preload  # heavy imports only when it is used

    preload()


async def warm_up() -> None:
    """Start-up work that should not delay serving: the offline interviewer's models (so the
    first call starts in a second, not ten), the date/number locales, and feedback a restart
    left unfinished."""
    await asyncio.to_thread(display.preload_locales)
    if not get_settings().use_gemini:
        # The import itself is heavy (numpy, onnxruntime, CTranslate2): a thread, not the loop.
        await asyncio.to_thread(_start_offline_preload)
    try:
        resumed = await asyncio.to_thread(feedback.resume_pending)
        if resumed:
            log.info("resumed feedback for %d interview(s)", len(resumed))
    except Exception:
        log.exception("could not resume pending feedback")
