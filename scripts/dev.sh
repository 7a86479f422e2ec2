#!/usr/bin/env bash
# The development server (README, Development): Reflex's dev mode with hot reload — the
# frontend on :3000 (vite), the backend on :8000 — set up like command 1 (Python packages,
# bun, Node >= 22.22 from the npm registry, database migrations). FRONTEND_PORT and
# BACKEND_PORT change the ports; extra arguments go to `reflex run`.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"

FRONTEND_PORT="${FRONTEND_PORT:-3000}"
BACKEND_PORT="${BACKEND_PORT:-8000}"
setup_python ""
setup_bun
setup_node
setup_fonts
migrate
cd "$ROOT"
export PREPPAL_PUBLIC_URL="${PREPPAL_PUBLIC_URL:-http://localhost:$FRONTEND_PORT}"
log "starting the development server on http://localhost:$FRONTEND_PORT (backend :$BACKEND_PORT)"
exec "$VENV/bin/reflex" run --env dev --frontend-port "$FRONTEND_PORT" --backend-port "$BACKEND_PORT" "$@"
