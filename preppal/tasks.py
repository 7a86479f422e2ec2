"""Background work that lives as long as the server (registered as Reflex lifespan tasks).

Created inside the lifespan, never at import time: granian forks workers after importing
the app, and a task or socket made before the fork would be shared by every worker.
"""

from __future__ import annotations

import asyncio
import logging

from preppal.services import interviews

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
