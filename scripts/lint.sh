#!/usr/bin/env bash
# Static checks that `make test` runs first: generated code up to date (gen/ from the protos,
# the web UI's API types from the OpenAPI document), the protos' style and compatibility (buf),
# ruff, mypy --strict.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# buf's launcher is a Node script: the virtualenv's Node.js (bootstrap.sh), as webui.sh uses.
PATH="$top/.venv/node/bin:$PATH"
export PATH
scripts/proto.sh --check
# buf and openapi-typescript come from npm, locked in webui/package-lock.json like the web UI's
# own tools (installed once, then only when the lock file changes).
scripts/webui.sh install >/dev/null
buf=$top/webui/node_modules/.bin/buf
(cd protos && "$buf" lint && "$buf" breaking --against released.binpb)
scripts/openapi.sh --check
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -40; exit 1; }
.venv/bin/mypy
