#!/usr/bin/env bash
# `make test`: installs what is missing, checks the code, then runs the whole suite in two
# halves side by side, each inside a fresh sandbox of its own (its own /etc, /home, /run,
# MariaDB, nginx, free ports), so it can run beside `make run`. The halves are folders of
# tests/ (FIRST_HALF in tests/conftest.py): the suite waits on its services about half of
# the time, so two halves use both of CI's cores and take about half as long as one run did.
# Arguments go to pytest (e.g. -m "not slow" for `make test-fast`); where one names a test
# file or folder, that runs in one sandbox.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/bootstrap.sh
step=$SECONDS
scripts/lint.sh
echo "test: the checks passed in $((SECONDS - step)) s"
if [ -f webui/package.json ]; then
  step=$SECONDS
  scripts/webui.sh test
  echo "test: the web UI's tests passed in $((SECONDS - step)) s"
fi

halves=(1 2)
for arg in "$@"; do
  if [ -e "${arg%%::*}" ]; then halves=(""); fi
done

declare -A runs started
for half in "${halves[@]}"; do
  run=$(mktemp -d /tmp/jopanel-test.XXXXXX)
  JOPANEL_TEST_HALF=$half scripts/sandbox.sh "$run" .venv/bin/pytest "$@" >"$run/pytest.log" 2>&1 &
  runs[$!]=$run
  started[$!]=$SECONDS
  echo "test: ${half:+half $half of }the suite runs in $run (its output follows when it ends)"
done

status=0
ran=0
for _ in "${halves[@]}"; do
  code=0
  wait -n -p pid || code=$?
  run=${runs[$pid]}
  echo "test: ===== $run: pytest ended ($code) after $((SECONDS - started[$pid])) s ====="
  cat "$run/pytest.log"
  # pytest's 5: every test of this half was left out (-k, -m); the other half may have some.
  case $code in 0) ran=1 ;; 5) ;; *) status=$code ;; esac
  # The browser test's screenshots of each main page outlive the run directory.
  if [ -d "$run/screenshots" ]; then
    rm -rf .test-screenshots && cp -r "$run/screenshots" .test-screenshots
    echo "test: screenshots of the web UI's main pages are in $top/.test-screenshots"
  fi
  if [ $code = 0 ] || [ $code = 5 ]; then
    rm -rf "$run"
  else
    echo "test: the run directory (logs under $run/logs) is kept for a look" >&2
  fi
done
if [ $status = 0 ] && [ $ran = 0 ]; then
  echo "test: no test was collected" >&2
  status=5
fi
exit $status
