"""Render deploy/nginx.conf.template for a prefix, a listen address and app instances.

    python scripts/nginx_conf.py PREFIX LISTEN UPSTREAM [UPSTREAM ...]
    e.g. python scripts/nginx_conf.py /tmp/lb 127.0.0.1:8080 127.0.0.1:3001 127.0.0.1:3002

Writes PREFIX/nginx.conf (and the temp directories nginx needs) and prints its path; run
``nginx -p PREFIX -c PREFIX/nginx.conf`` (unprivileged: everything lives under PREFIX).
"""

from __future__ import annotations

import sys
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf.template"


def render(prefix: Path, listen: str, upstreams: list[str]) -> Path:
    prefix = prefix.resolve()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=2s;" for u in upstreams)
    text = Template(TEMPLATE.read_text()).substitute(prefix=prefix, listen=listen, servers=servers)
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    print(render(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]))
