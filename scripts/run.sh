#!/usr/bin/env bash
# Command 1: set everything up and serve Preppal at http://localhost:3000 (production build).
# No API key needed: without GEMINI_API_KEY the offline interviewer is used.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"

PORT="${PORT:-3000}"
setup_python ""
setup_bun
setup_node
setup_fonts
migrate
if [ -z "${GEMINI_API_KEY:-}${GOOGLE_API_KEY:-}" ]; then
  log "no GEMINI_API_KEY: using the offline interviewer (set it to talk to Gemini Live)"
fi
log "starting Preppal on http://localhost:$PORT (first start builds the frontend: ~1 min)"
cd "$ROOT"
export PREPPAL_PUBLIC_URL="${PREPPAL_PUBLIC_URL:-http://localhost:$PORT}"
exec "$VENV/bin/reflex" run --env prod --single-port --frontend-port "$PORT"
