"""What we know about Gemini text models' lifecycles: which feedback models are retired.

Google retires text models on dates it announces on its deprecations page; after
``gemini-2.5-flash`` was retired (2026-12-01) its requests were routed to a Flash-Lite model,
so a server still configured with it got a weaker review silently. Feedback checks the
configured model here first: a retired one is not called, the built-in analyzer writes the
feedback (labelled as today) and the log names the model and its successor. Sources and
dates: docs/gemini.md, "Feedback model".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Retirement:
    model: str
    shutdown: dt.date
    successor: str
    note: str = ""

    def retired(self, today: dt.date | None = None) -> bool:
        return (today or dt.date.today()) >= self.shutdown

    def sentence(self, today: dt.date | None = None) -> str:
        when = "was retired" if self.retired(today) else "will be retired"
        extra = f" ({self.note})" if self.note else ""
        return f"{self.model} {when} on {self.shutdown.isoformat()}{extra}; use {self.successor}."


RETIREMENTS: dict[str, Retirement] = {
    r.model: r
    for r in (
        Retirement(
            "gemini-2.5-flash",
            dt.date(2026, 12, 1),
            "gemini-3.8-flash",
            "requests are routed to gemini-3.5-flash-lite at its rules and prices",
        ),
        Retirement(
            "gemini-2.5-pro",
            dt.date(2026, 12, 1),
            "gemini-3.8-flash",
            "requests are routed to gemini-3.8-flash",
        ),
        Retirement("gemini-2.0-flash", dt.date(2026, 3, 31), "gemini-3.8-flash"),
        Retirement("gemini-2.0-flash-001", dt.date(2026, 3, 31), "gemini-3.8-flash"),
        Retirement("gemini-2.0-flash-lite", dt.date(2026, 3, 31), "gemini-3.8-flash"),
        Retirement("gemini-2.0-flash-lite-001", dt.date(2026, 3, 31), "gemini-3.8-flash"),
    )
}


def retirement(model: str) -> Retirement | None:
    """The announced retirement of ``model`` (``models/`` prefix allowed), if there is one."""
    return RETIREMENTS.get(model.strip().rsplit("/", 1)[-1])


def retired(model: str, today: dt.date | None = None) -> Retirement | None:
    """The retirement of ``model`` when it has already happened."""
    found = retirement(model)
    return found if found is not None and found.retired(today) else None
