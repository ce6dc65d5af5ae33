#!/usr/bin/env bash
# `make run`: installs what is missing, builds the SPA, and starts the sandboxed stack in
# .run/ (kept between runs, so the data stays). Ctrl-C stops every process it started.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/bootstrap.sh
if [ -f webui/package.json ]; then
  scripts/webui.sh build
fi
exec scripts/sandbox.sh "${JOPANEL_RUN_DIR:-$top/.run}" .venv/bin/python scripts/stack.py
