#!/usr/bin/env bash
# Static checks that `make test` runs first: generated code up to date, ruff, mypy --strict.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/proto.sh --check
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -40; exit 1; }
.venv/bin/mypy
