#!/usr/bin/env bash
# `make test`: installs what is missing, checks the code, then runs the whole suite in two
# halves side by side, each inside a fresh sandbox of its own (its own /etc, /home, /run,
# MariaDB, nginx, free ports), so it can run beside `make run`. The halves are folders of
# tests/ (FIRST_HALF in tests/conftest.py): the suite waits on its services about half of
# the time, so two halves use both of CI's cores and take about half as long as one run did
# (docs/architecture.md). Arguments go to pytest (e.g. -m "not slow" for `make test-fast`);
# where one names a test file or folder, that runs in one sandbox.
#
#   scripts/test.sh [PYTEST ARG...]
#   scripts/test.sh --half 1|2|"" [PYTEST ARG...]    (one half, or all, in one sandbox)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "${1:-}" = --half ]; then
  half=$2
  shift 2
  run=$(mktemp -d /tmp/jopanel-test.XXXXXX)
  echo "test: ${half:+half $half of }the suite, in $run"
  status=0
  JOPANEL_TEST_HALF=$half scripts/sandbox.sh "$run" .venv/bin/pytest "$@" || status=$?
  # The browser test's screenshots of each main page outlive the run directory.
  if [ -d "$run/screenshots" ]; then
    rm -rf .test-screenshots && cp -r "$run/screenshots" .test-screenshots
    echo "test: screenshots of the web UI's main pages are in $top/.test-screenshots"
  fi
  # pytest's 5: every test of this half was left out (-k, -m); the other half has them.
  if [ $status = 0 ] || { [ -n "$half" ] && [ $status = 5 ]; }; then
    rm -rf "$run"
    exit 0
  fi
  echo "test: the run directory (logs under $run/logs) is kept for a look" >&2
  exit $status
fi

scripts/bootstrap.sh
if [ -f webui/package.json ]; then
  # npm's packages first: the checks (buf, openapi-typescript) and the web UI's tests both use
  # them, side by side. The web UI's tests end with its build, which the browser test serves.
  scripts/webui.sh install
  scripts/side-by-side.sh scripts/lint.sh --also scripts/webui.sh test
else
  scripts/lint.sh
fi

for arg in "$@"; do
  if [ -e "${arg%%::*}" ]; then
    exec scripts/test.sh --half "" "$@"
  fi
done
exec scripts/side-by-side.sh scripts/test.sh --half 1 "$@" --also scripts/test.sh --half 2 "$@"
