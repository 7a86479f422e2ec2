#!/usr/bin/env bash
# Try failover by hand: nginx on :8080 in front of two Preppal instances (:3001, :3002) on the
# local PostgreSQL (127.0.0.1:5432, database `test`, trust auth) and Redis (127.0.0.1:6379).
# Open http://localhost:8080, start an interview, then `kill -9` or `kill -TERM` the instance
# holding it (its pid is printed; the interview's lease_owner names host:pid) and watch the
# call come back on the other one. Ctrl-C stops everything. See docs/deployment.md.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"

LB_PORT="${PORT:-8080}"
APP_PORTS=(${APP_PORTS:-3001 3002})
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export REFLEX_REDIS_URL="${REFLEX_REDIS_URL:-redis://127.0.0.1:6379/0}"
export GRANIAN_WORKERS="${GRANIAN_WORKERS:-1}"
export PREPPAL_PUBLIC_URL="${PREPPAL_PUBLIC_URL:-http://localhost:$LB_PORT}"
export REFLEX_API_URL="${REFLEX_API_URL:-$PREPPAL_PUBLIC_URL}"  # the page's sockets go through nginx too
export PREPPAL_TRUSTED_PROXIES="${PREPPAL_TRUSTED_PROXIES:-127.0.0.1}"

setup_python ""
setup_bun
setup_nginx
migrate  # secrets are generated once into data/ and shared by both instances (same tokens)
"$VENV/bin/python" -c "from preppal.settings import get_settings; get_settings()"

RUN="$ROOT/data/cluster"
mkdir -p "$RUN"
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait || true
}
trap cleanup EXIT INT TERM

for port in "${APP_PORTS[@]}"; do
  # One tree, one build: every instance behind the balancer must serve the same frontend
  # (asset names are content hashes). Started one after the other: the second start finds
  # the build done (Reflex locks .web/ while building).
  log="$RUN/app-$port.log"
  log "starting instance on :$port (log: $log)"
  (cd "$ROOT" && setsid "$VENV/bin/reflex" run --env prod --single-port --frontend-port "$port" >"$log" 2>&1) &
  pids+=($!)
  until curl -sf "http://127.0.0.1:$port/ping" >/dev/null; do
    kill -0 "${pids[-1]}" 2>/dev/null || die "instance on :$port exited (see $log)"
    sleep 1
  done
  log "instance on :$port is up"
done

upstreams=()
for port in "${APP_PORTS[@]}"; do upstreams+=("127.0.0.1:$port"); done
conf="$("$VENV/bin/python" "$ROOT/scripts/nginx_conf.py" "$RUN/nginx" "$LB_PORT" "${upstreams[@]}")"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
setsid "$nginx_bin" -p "$RUN/nginx" -e "$RUN/nginx/error.log" -c "$conf" &
pids+=($!)
log "nginx on http://localhost:$LB_PORT → ${upstreams[*]} (metrics: curl http://127.0.0.1:<instance port>/metrics)"
wait
