"""SIGTERM under granian: hand live interviews over *before* the server drops their sockets.

Granian's worker stops on SIGTERM or SIGINT by aborting every open WebSocket (no close
frame) and only then running the ASGI lifespan shutdown — too late to tell a candidate
anything. So in a granian worker the hub takes SIGTERM over: it stops taking interviews,
tells each client to reconnect now (``Reconnect`` with a resume token), lets go of the
leases, and then sends the process SIGINT, which granian handles as its usual graceful
stop. Ctrl-C (SIGINT) is left alone. Outside granian (tests, other servers) nothing is
installed and the lifespan shutdown hands over what is left.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def install_sigterm_handover(hand_over: Callable[[], Awaitable[object]]) -> bool:
    """Run ``hand_over`` on SIGTERM, then stop the server; False when not under granian."""
    if "granian" not in sys.modules or threading.current_thread() is not threading.main_thread():
        return False
    loop = asyncio.get_running_loop()
    started: list[asyncio.Task] = []

    async def then_stop() -> None:
        try:
            await hand_over()
        except Exception:
            log.exception("hand-over on SIGTERM failed")
        os.kill(os.getpid(), signal.SIGINT)  # granian's own graceful stop

    def on_sigterm() -> None:
        if not started:
            log.info("SIGTERM: handing live interviews over, then stopping")
            started.append(loop.create_task(then_stop(), name="relay-handover"))

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except (NotImplementedError, RuntimeError):
        return False
    return True
