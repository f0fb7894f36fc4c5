#!/usr/bin/env bash
# KAMS in two commands:
#   ./run.sh demo   set everything up, load the demo province into SQLite, serve it
#   ./run.sh test   set everything up and run the whole test suite
# Both work on a fresh Debian machine with Python 3.11. Options after the verb go to
# `kams demo` (e.g. --port 8080 --size medium) or to pytest (e.g. -k scoping).
set -euo pipefail
cd "$(dirname "$0")"

VENV="${KAMS_VENV:-.venv}"
PY="${KAMS_PYTHON:-python3}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ ! -f /tmp/.kams-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.kams-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

setup() {
  if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "KAMS needs Python 3.11 or newer (found $("$PY" --version 2>&1))." >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      echo "Installing python3-venv …"
      apt_install python3-venv || { echo "Please install python3-venv." >&2; exit 1; }
      "$PY" -m venv "$VENV"
    fi
  fi
  local stamp="$VENV/.kams-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing KAMS and its dependencies into $VENV …"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
    touch "$stamp"
  fi
}

browser() {
  # Browser tests drive Debian's Chromium; install it when we may.
  if ! command -v chromium >/dev/null; then
    echo "Installing Chromium for the browser tests …"
    apt_install chromium fonts-noto-cjk || echo "Chromium could not be installed: browser tests will be skipped." >&2
  fi
}

verb="${1:-}"
shift || true
case "$verb" in
  demo)
    setup
    exec "$VENV/bin/kams" demo "$@"
    ;;
  test)
    setup
    browser
    export KAMS_VAR_DIR="${KAMS_VAR_DIR:-$PWD/var/test}"
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  lint)
    setup
    exec "$VENV/bin/ruff" check kams tests bench scripts conftest.py
    ;;
  *)
    echo "usage: ./run.sh demo [--host H] [--port P] [--size small|medium|large]" >&2
    echo "       ./run.sh test [pytest options]" >&2
    exit 2
    ;;
esac
