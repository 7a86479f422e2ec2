"""The relay's timings, one frozen value per process (built from the settings in preppal.py).

The hub reads them for leases, the sweep and hand-over; each session reads the grace period,
the held AI audio and the end wait from the copy it was launched with. The grace period and
the lease are settings: their defaults are the ones :class:`~preppal.settings.Settings` declares.
"""

from __future__ import annotations

from dataclasses import dataclass

from preppal.settings import Settings


@dataclass(frozen=True)
class RelayConfig:
    grace_s: float = Settings.relay_grace_s  # how long a dropped candidate may take to come back (any worker)
    detached_audio_s: float = 10.0  # AI audio kept for a candidate who is reconnecting
    end_wait_s: float = 5.0  # after EndRequest, how long the backend gets to confirm
    lease_ttl_s: float = Settings.lease_ttl_s  # renewed every lease_ttl_s / 5
    sweep_s: float = 10.0  # how often abandoned interviews are looked for
    handover_s: float = 20.0  # shutdown: time the sessions get to hand over

    @property
    def renew_s(self) -> float:
        return self.lease_ttl_s / 5

    @classmethod
    def from_settings(cls, s: Settings) -> RelayConfig:
        sweep = max(0.5, min(cls.sweep_s, s.relay_grace_s / 3))
        return cls(grace_s=s.relay_grace_s, lease_ttl_s=s.lease_ttl_s, sweep_s=sweep)
