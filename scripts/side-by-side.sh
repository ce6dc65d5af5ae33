#!/usr/bin/env bash
# Runs commands in lanes at the same time: `--also` starts a new lane, `--then` runs a command
# after the one before it in the same lane. Each command's output goes to a file of its own
# and is printed whole when the command ends (so two lanes' lines never mix), with its time.
# A lane goes on after a failed command. The exit status is that of the first lane (in the
# order given) whose command failed, after every lane has ended. For `make test`, whose parts
# wait on services and machines much of the time: side by side they use both of CI's cores.
#
#   scripts/side-by-side.sh COMMAND [ARG...] [--then|--also COMMAND [ARG...]]...
set -euo pipefail
usage="usage: $0 COMMAND [ARG...] [--then|--also COMMAND [ARG...]]..."
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
logs=$(mktemp -d /tmp/jopanel-side-by-side.XXXXXX)
trap 'rm -rf "$logs"' EXIT

# Runs its arguments, each one command quoted for eval, one after another. All lanes start at
# once: $SECONDS (carried into the subshell) is each command's time when it ends.
lane() {
  local status=0 command log code
  for command in "$@"; do
    log=$(mktemp "$logs/XXXXXX.log")
    code=0
    eval "$command" >"$log" 2>&1 </dev/null || code=$?
    # One lane prints at a time.
    {
      flock 9
      echo "side-by-side: ===== $command: ended ($code) after $SECONDS s ====="
      cat "$log"
      echo "side-by-side: ===== the end of $command ====="
    } 9>"$logs/print.lock"
    if [ $code != 0 ] && [ $status = 0 ]; then status=$code; fi
  done
  return $status
}

lanes=()     # by lane: its commands, each quoted for eval, one per line
current=""   # the lane being read
command=""   # the command being read
for arg in "$@" --also; do
  case "$arg" in
    --also | --then)
      [ -n "$command" ] || { echo "$usage" >&2; exit 2; }
      current+="${current:+$'\n'}$command"
      command=""
      if [ "$arg" = --also ]; then
        lanes+=("$current")
        current=""
      fi
      ;;
    *) command+="${command:+ }$(printf '%q' "$arg")" ;;
  esac
done

pids=()
for commands in "${lanes[@]}"; do
  mapfile -t list <<<"$commands"
  echo "side-by-side: started ${commands//$'\n'/, then }"
  lane "${list[@]}" &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  code=0
  wait "$pid" || code=$?
  if [ $code != 0 ] && [ $status = 0 ]; then status=$code; fi
done
exit $status
