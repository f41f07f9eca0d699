#!/usr/bin/env bash
# Install everything the tests need into .venv (and headless Chromium where we may), then lint
# and run the whole test suite. Extra arguments go to pytest (e.g. -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# llama-cpp-python is a source package: the first install compiles it (about 4 minutes).
.venv/bin/python -m pip install --quiet -e '.[dev]'
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || echo "note: chromium could not be installed; the browser tests will be skipped"
  else
    echo "note: chromium is not installed; the browser tests will be skipped"
  fi
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
