#!/usr/bin/env bash
# Generates the Python gRPC code (with type stubs) for every proto under protos/ into gen/.
# With --check, generates into a temporary folder and fails when gen/ differs (stale code).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$top/.venv/bin/python}
out=$top/gen
[ "${1:-}" = --check ] && out=$(mktemp -d)
rm -rf "$out/jopanel"
mkdir -p "$out"
mapfile -t protos < <(cd "$top/protos" && find jopanel -name '*.proto' | sort)
# mypy-protobuf writes the type stubs (messages and service stubs), so callers are type-checked.
(cd "$top/protos" && PATH="$(dirname "$python"):$PATH" "$python" -m grpc_tools.protoc -I. \
  --python_out="$out" --grpc_python_out="$out" --mypy_out="$out" --mypy_grpc_out="$out" \
  "${protos[@]}" 2> >(grep -v '^Writing mypy to' >&2))
# Every folder of the generated tree is a regular package, so mypy and setuptools see it.
find "$out/jopanel" -type d -exec touch {}/__init__.py \;
if [ "${1:-}" = --check ]; then
  if ! diff -r -q "$out/jopanel" "$top/gen/jopanel"; then
    echo "gen/ is stale: run 'make proto' and commit the result" >&2
    rm -rf "$out"; exit 1
  fi
  rm -rf "$out"
fi
