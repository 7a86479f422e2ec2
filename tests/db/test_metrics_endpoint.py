"""/metrics: Prometheus text for the relay hub, only for the configured addresses."""

from __future__ import annotations

import httpx

from preppal.api.app import build_api
from preppal.realtime.hub import RelayHub
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings


async def get(client_ip: str, headers: dict | None = None) -> httpx.Response:
    hub = RelayHub()
    hub.metrics.takeovers.labels("gone").inc()
    transport = httpx.ASGITransport(app=build_api(hub, open_store(get_settings())), client=(client_ip, 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get("/metrics", headers=headers or {})


async def test_loopback_reads_the_relay_metrics(db):
    response = await get("127.0.0.1")
    assert response.status_code == 200
    text = response.text
    assert "preppal_live_interviews 0.0" in text
    assert 'preppal_lease_takeovers_total{how="gone"} 1.0' in text
    for name in ("preppal_relay_added_latency_seconds", "preppal_upstream_errors", "preppal_lease_handovers"):
        assert f"# TYPE {name}" in text


async def test_other_addresses_and_proxied_requests_are_refused(db, monkeypatch):
    assert (await get("198.51.100.7")).status_code == 403
    assert (await get("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"})).status_code == 403  # through a proxy
    monkeypatch.setenv("PREPPAL_METRICS_ALLOW", "10.0.0.0/8")
    from preppal.settings import reset_settings

    reset_settings()
    assert (await get("10.1.2.3")).status_code == 200
    assert (await get("127.0.0.1")).status_code == 403


async def test_forwarded_for_on_several_lines_is_read_whole(db):
    """Issue 22: a proxy that appends its own X-Forwarded-For line (HAProxy) left the client's
    own first line as the only one read: a client writing "127.0.0.1" read /metrics."""
    lines = [("x-forwarded-for", "127.0.0.1"), ("x-forwarded-for", "203.0.113.9")]  # client's, then the proxy's
    assert (await get("127.0.0.1", httpx.Headers(lines))).status_code == 403
    assert (await get("127.0.0.1", httpx.Headers([("x-forwarded-for", "127.0.0.1")] * 2))).status_code == 200
