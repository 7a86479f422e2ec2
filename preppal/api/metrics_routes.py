"""GET /metrics — Prometheus text for this process (relay: live interviews, latency, leases).

Only the configured addresses may read it (``PREPPAL_METRICS_ALLOW``: addresses or CIDR
networks, loopback by default). A request that came through a proxy (it carries
``X-Forwarded-For``) is refused unless every hop of every such header line is allowed too,
so putting the app behind nginx or HAProxy (which adds a line of its own rather than
extending the client's) does not open it to the world; scrape each instance directly.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from preppal.api.headers import forwarded_hops
from preppal.realtime.hub import RelayHub
from preppal.settings import get_settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _allowed(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks if net.version == ip.version)


def metrics_routes(hub: RelayHub) -> list[Route]:
    async def metrics(request: Request) -> Response:
        networks = [ipaddress.ip_network(a, strict=False) for a in get_settings().metrics_allow]
        hops = forwarded_hops(request.headers)  # every header line: a proxy may add its own
        peer = request.client.host if request.client else ""
        if not all(_allowed(a, networks) for a in [peer, *hops]):
            return PlainTextResponse("Forbidden", status_code=403)
        return Response(hub.metrics.render(), media_type=CONTENT_TYPE)

    return [Route("/metrics", metrics)]
