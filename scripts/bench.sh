#!/usr/bin/env bash
# `make bench`: the benchmark tables, in a sandbox of their own. Sections: api, web, sites, php, dns,
# ui, backups, files, plans, certificates (default: all), and memory (only when named: 5,000
# accounts take a while); e.g. scripts/bench.sh web.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/bootstrap.sh
if [ -f webui/package.json ]; then
  scripts/webui.sh build
fi
run=$(mktemp -d /tmp/jopanel-bench.XXXXXX)
trap 'rm -rf "$run"' EXIT
scripts/sandbox.sh "$run" .venv/bin/python scripts/bench.py "$@"
