#!/usr/bin/env bash
# `make test`: installs what is missing, checks the code, then runs the whole suite inside a
# fresh sandbox of its own (free ports, its own run directory), so it can run beside `make run`.
# Arguments go to pytest (e.g. -m "not slow" for `make test-fast`).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/bootstrap.sh
scripts/lint.sh
if [ -f webui/package.json ]; then
  scripts/webui.sh test
fi
run=$(mktemp -d /tmp/jopanel-test.XXXXXX)
status=0
scripts/sandbox.sh "$run" .venv/bin/pytest "$@" || status=$?
# The browser test's screenshots of each main page outlive the run directory.
if [ -d "$run/screenshots" ]; then
  rm -rf .test-screenshots && cp -r "$run/screenshots" .test-screenshots
  echo "test: screenshots of the web UI's main pages are in $top/.test-screenshots"
fi
if [ $status = 0 ]; then
  rm -rf "$run"
else
  echo "test: the run directory (logs under $run/logs) is kept for a look" >&2
fi
exit $status
