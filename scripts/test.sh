#!/usr/bin/env bash
# Command 2: install what the tests need and run the whole suite, browser tests included.
# Extra arguments go to pytest (e.g. scripts/test.sh -k relay).
# --quick first: the quick tier for the edit loop (no browser, model or process tests, the
# default Live model only; tests/README.md), without the browser's and nginx's set-up.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"

QUICK=()
if [ "${1:-}" = "--quick" ]; then
  QUICK=(--quick)
  shift
fi

setup_python "[dev]"
setup_fonts
if [ ${#QUICK[@]} = 0 ]; then
  setup_bun
  setup_node
  # Debian's Chromium for Playwright: never `playwright install` (it downloads a browser).
  [ -x /usr/bin/chromium ] || apt_install chromium
  # Fonts for the interview languages' own scripts (Devanagari, Chinese/Japanese, ~1.7 MB), so
  # the test browser renders "हिन्दी", "日本語", "普通话" instead of empty boxes.
  [ -d /usr/share/fonts/truetype/wqy ] && [ -d /usr/share/fonts/truetype/lohit-devanagari ] ||
    apt_install fonts-wqy-microhei fonts-lohit-deva
  setup_nginx  # failover tests run the reference nginx setup (deploy/)
  # Human read speech (LibriVox, public domain; 1.8 MB) for bench/offline_latency.py's human set.
  [ -d /usr/share/pocketsphinx/test/data/librivox ] || apt_install pocketsphinx-testdata
fi

cd "$ROOT"
log "lint: ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

if [ ${#QUICK[@]} = 0 ] && [ -f audio_worklet/package.json ]; then
  log "audio worklet DSP tests: node --test"
  (cd audio_worklet && { [ -d node_modules ] || npm ci --silent --no-audit --no-fund; } && npm test --silent)
fi

log "pytest"
set +e
"$VENV/bin/python" -m pytest -ra --durations=30 ${QUICK[@]+"${QUICK[@]}"} "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  die "pytest collected no tests: refusing to call an empty run green"
fi
exit "$status"
