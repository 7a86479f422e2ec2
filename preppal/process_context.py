"""What one server process builds once and hands down: its settings and its recording store.

The web process builds it in preppal/preppal.py at start (the relay hub, the HTTP API, the
lifespan tasks and the in-process feedback jobs get their parts from there); ``preppal
worker`` and the analysis child build their own in preppal/cli.py. Services never build a
store themselves: they take it as a parameter. The Reflex state classes, which Reflex makes
per browser tab without arguments, are the one reader of :func:`current`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from preppal.services.recordings.store import RecordingStore, open_store
from preppal.settings import Settings


@dataclass(frozen=True)
class ProcessContext:
    settings: Settings
    recordings: RecordingStore  # where live interviews are recorded and read back (docs/recordings.md)

    @classmethod
    def build(cls, settings: Settings) -> ProcessContext:
        return cls(settings=settings, recordings=open_store(settings))


_current: Optional[ProcessContext] = None


def install(context: ProcessContext) -> ProcessContext:
    """Make ``context`` this process's (preppal.py, once at start; tests that drive page state)."""
    global _current
    _current = context
    return context


def current() -> ProcessContext:
    """This process's context, for the page state's handlers."""
    if _current is None:
        raise RuntimeError("no process context: preppal/preppal.py installs it at start")
    return _current
