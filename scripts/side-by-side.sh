#!/usr/bin/env bash
# Runs commands at the same time, each with its output in a file of its own, and prints each
# command's output whole when it ends (so two runs' lines never mix), with its time. Exits
# with the first failed command's status, after all have ended. For `make test`, whose parts
# wait on services and machines much of the time: side by side they use both of CI's cores.
#
#   scripts/side-by-side.sh COMMAND [ARG...] [--also COMMAND [ARG...]]...
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...] [--also COMMAND [ARG...]]..." >&2; exit 2; }
logs=$(mktemp -d /tmp/jopanel-side-by-side.XXXXXX)
trap 'rm -rf "$logs"' EXIT

# By process id: what it runs, the file of its output. All start at once: $SECONDS is each
# one's time when it ends.
declare -A names=() outputs=()
count=0
start() {
  count=$((count + 1))
  local log="$logs/$count.log"
  "$@" >"$log" 2>&1 &
  names[$!]="$*"
  outputs[$!]=$log
  echo "side-by-side: started $*"
}

command=()
for arg in "$@"; do
  if [ "$arg" = --also ]; then
    start "${command[@]}"
    command=()
  else
    command+=("$arg")
  fi
done
start "${command[@]}"

status=0
for _ in $(seq "$count"); do
  code=0
  wait -n -p pid || code=$?
  echo "side-by-side: ===== ${names[$pid]}: ended ($code) after $SECONDS s ====="
  cat "${outputs[$pid]}"
  echo "side-by-side: ===== the end of ${names[$pid]} ====="
  if [ $code != 0 ] && [ $status = 0 ]; then status=$code; fi
done
exit $status
