"""The HTTP header values our routes read and write by hand, each parsed or built in one place.

- :func:`decimal`: a header number (``Content-Length``, the numbers of a ``Range``) is
  ASCII digits only. ``str.isdigit()`` is true for "²", "٣" or "５", which ``int()`` then
  refuses or reads as another digit: a bad header answered 500 with a traceback.
- :func:`forwarded_hops`: every ``X-Forwarded-For`` line, in order. A proxy may append its
  own header line instead of adding to the client's (HAProxy does), and Starlette's
  ``headers.get`` returns only the first line, which the client wrote.
- :func:`client_address`: the address a request came from, believing ``X-Forwarded-For``
  only as far as our own proxies wrote it (the usual right-most-untrusted-hop rule).
- :func:`content_disposition`: the one ``Content-Disposition`` of every download (exports
  and recordings): an ASCII ``filename`` any HTTP stack can carry and, when the name has
  other letters (Кириллица, 日本語, हिन्दी), the full name as RFC 5987 ``filename*``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Collection
from datetime import datetime
from typing import Literal, Optional
from urllib.parse import quote

from starlette.datastructures import Headers

from preppal import display

log = logging.getLogger(__name__)
MAX_DIGITS = 18  # below 2**63: no header number we accept is longer
_ASCII_DIGITS = frozenset("0123456789")
_warned_untrusted_proxy = False
Disposition = Literal["attachment", "inline"]


def decimal(text: str, max_digits: int = MAX_DIGITS) -> Optional[int]:
    """``text`` as a non-negative integer if it is 1…``max_digits`` ASCII digits, else None."""
    if not 0 < len(text) <= max_digits or not _ASCII_DIGITS.issuperset(text):
        return None
    return int(text)


def forwarded_hops(headers: Headers) -> list[str]:
    """Every address of every ``X-Forwarded-For`` line, client side first, proxies last."""
    return [hop.strip() for line in headers.getlist("x-forwarded-for") for hop in line.split(",") if hop.strip()]


def _in(address: str, networks: Collection[str]) -> bool:
    """Whether ``address`` is one of ``networks`` (addresses or CIDR blocks)."""
    if address in networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(peer: str, headers: Headers, trusted_proxies: Collection[str]) -> str:
    """The address to throttle by: the socket peer, or, when the peer is a trusted proxy,
    the right-most ``X-Forwarded-For`` hop (across all header lines) that is not a trusted
    proxy itself. Hops left of it were written by the client and prove nothing."""
    global _warned_untrusted_proxy
    if not _in(peer, trusted_proxies):
        if "x-forwarded-for" in headers and not _warned_untrusted_proxy:
            _warned_untrusted_proxy = True  # everyone behind that proxy shares one address
            log.warning(
                "X-Forwarded-For from %s, which is not in PREPPAL_TRUSTED_PROXIES: throttling by the proxy's address",
                peer,
            )
        return peer
    for hop in reversed(forwarded_hops(headers)):
        if not _in(hop, trusted_proxies):
            return hop
    return peer


def content_disposition(
    role: str, created_at: datetime, ext: str, *, part: str = "", disposition: Disposition = "attachment"
) -> str:
    """The header of one interview's download, named by :func:`preppal.display.download_name`:
    ``attachment; filename="…"`` plus ``filename*=UTF-8''…`` when the role has other letters."""
    plain = display.download_name(role, created_at, ext, part=part)
    full = display.download_name(role, created_at, ext, part=part, ascii_only=False)
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "-" for c in plain)  # ASCII already
    header = f'{disposition}; filename="{plain}"'
    if full != plain:
        header += f"; filename*=UTF-8''{quote(full, safe='')}"
    return header
