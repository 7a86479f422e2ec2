"""Operations: Prometheus metrics of this relay process and one log line per state change.

Each hub owns its :class:`RelayMetrics` (its own registry, no module-level collectors), so
tests and several hubs in one process never share counters. ``/metrics`` (api) serves it.

State-change log lines are ``key=value`` pairs after a fixed prefix, e.g.::

    interview_state interview_id=… state=live worker=host:123:ab12 interviewer=gemini
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

state_log = logging.getLogger("preppal.interview_state")

# Relay-added latency is sub-millisecond when healthy; the top buckets catch a stalled loop.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0)


def log_state(interview_id: str, state: str, **fields: object) -> None:
    """One structured line per interview state change (connecting, live, reconnecting, …)."""
    extra = " ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, ""))
    state_log.info("interview_state interview_id=%s state=%s %s", interview_id, state, extra)


class RelayMetrics:
    def __init__(self, live_count: Callable[[], int]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        live = Gauge("preppal_live_interviews", "Interviews live in this process", registry=self.registry)
        live.set_function(lambda: float(live_count()))
        self.latency = Histogram(
            "preppal_relay_added_latency_seconds",
            "Time a frame spends in the relay (down: backend message received → sent to the browser;"
            " up: browser frame received → handed to the backend)",
            ["direction"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.down = self.latency.labels("down")
        self.up = self.latency.labels("up")
        self.upstream_errors = Counter(
            "preppal_upstream_errors", "Interviewer (Gemini/offline) failures", ["kind"], registry=self.registry
        )
        self.takeovers = Counter(
            "preppal_lease_takeovers",
            "Interviews this process took over from another (released: handed over; expired; gone: holder died)",
            ["how"],
            registry=self.registry,
        )
        self.handovers = Counter(
            "preppal_lease_handovers",
            "Interviews this process let go of while live (taken_over, shutdown, lease_lost)",
            ["why"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
