#!/usr/bin/env bash
# `make test`: installs what is missing, builds the web UI (the browser test serves it), then
# runs everything in three lanes side by side (docs/architecture.md):
#   - the suite's two halves, each inside a fresh sandbox of its own (its own /etc, /home, /run,
#     MariaDB, nginx, free ports), so it can run beside `make run`; the halves are folders of
#     tests/ (FIRST_HALF in tests/conftest.py);
#   - the checks (scripts/lint.sh), the web UI's own tests, the installer on a booted Debian 12
#     (scripts/test-install.sh), then the tests that need Debian's kernel (scripts/test-vm.sh).
# The suite waits on its services and the VM on its emulated CPU much of the time: three lanes
# keep both of CI's cores busy. With arguments, only the suite runs, and they go to pytest
# (e.g. -m "not slow" for `make test-fast`): in its two halves, or in one sandbox where one
# names a test file or folder.
#
#   scripts/test.sh                                   everything `make test` runs
#   scripts/test.sh PYTEST ARG...                     the suite only
#   scripts/test.sh --half 1|2|"" [PYTEST ARG...]     one half, or all, in one sandbox
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "${1:-}" = --half ]; then
  half=$2
  shift 2
  run=$(mktemp -d /tmp/jopanel-test.XXXXXX)
  echo "test: ${half:+half $half of }the suite, in $run"
  status=0
  # In memory: the suite's MariaDB, homes and overlays write nothing to the disk, and a failed
  # run keeps its logs ($run/logs), not the sandbox's files.
  JOPANEL_TEST_HALF=$half JOPANEL_SANDBOX_MEMORY=1 JOPANEL_SANDBOX_NETWORK=own \
    scripts/sandbox.sh "$run" .venv/bin/pytest "$@" || status=$?
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
# npm's packages come with it: the checks use two of them (buf, openapi-typescript).
scripts/webui.sh build
if [ $# = 0 ]; then
  # The packages of the installer's test and of the VM before the lanes: no two apt-get run at
  # once, and the halves' sandboxes, whose /etc and /var lie over the machine's, see no package
  # arrive while they run (one did: a /var/lib listing the boundary fuzz compares changed).
  scripts/bootstrap.sh --machines
  # Each half names its slowest tests: what to weigh when the halves drift apart.
  exec scripts/side-by-side.sh scripts/test.sh --half 1 --durations=15 \
    --also scripts/test.sh --half 2 --durations=15 \
    --also scripts/lint.sh --then scripts/webui.sh check --then scripts/test-install.sh \
    --then scripts/test-vm.sh
fi
for arg in "$@"; do
  if [ -e "${arg%%::*}" ]; then
    exec scripts/test.sh --half "" "$@"
  fi
done
exec scripts/side-by-side.sh scripts/test.sh --half 1 "$@" --also scripts/test.sh --half 2 "$@"
