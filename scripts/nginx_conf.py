"""Render deploy/nginx.conf.template for a prefix, a listen address and app instances.

    python scripts/nginx_conf.py PREFIX LISTEN UPSTREAM [UPSTREAM ...]
    e.g. python scripts/nginx_conf.py /tmp/lb 8080 127.0.0.1:3001 127.0.0.1:3002

LISTEN is an address:port, or a bare port for loopback on IPv4 and IPv6 (browsers may try
``localhost`` as ::1 first).

Writes PREFIX/nginx.conf (and the temp directories nginx needs) and prints its path; run
``nginx -p PREFIX -c PREFIX/nginx.conf`` (unprivileged: everything lives under PREFIX).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf.template"


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def render(prefix: Path, listen: str, upstreams: list[str]) -> Path:
    prefix = prefix.resolve()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=2s;" for u in upstreams)
    addresses = [listen]
    if listen.isdigit():
        addresses = [f"127.0.0.1:{listen}"] + ([f"[::1]:{listen}"] if _ipv6_loopback() else [])
    listens = "\n".join(f"        listen {a};" for a in addresses)
    text = Template(TEMPLATE.read_text()).substitute(prefix=prefix, listen=listens, servers=servers)
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    print(render(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]))
