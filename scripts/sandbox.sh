#!/usr/bin/env bash
# Runs a command inside JoPanel's sandbox: a private mount and PID namespace in which /etc, /var,
# /home and /srv are copy-on-write overlays whose upper layers live in RUN_DIR/sandbox, and /run
# is a fresh tmpfs. Inside it the agent works on the real paths (useradd, nginx, ...) while the
# host's files stay as they were. The host's own /etc, /var, /home and /srv are visible read-only
# under RUN_DIR/host, so tests can show that they did not change. When the command ends, every
# process started inside ends with it (it is PID 1 of the namespace).
#
#   scripts/sandbox.sh RUN_DIR COMMAND [ARG...]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 RUN_DIR COMMAND [ARG...]" >&2; exit 2; }
run=$(realpath -m "$1"); shift
[ "$(id -u)" = 0 ] || { echo "sandbox: must run as root (it makes a mount namespace)" >&2; exit 1; }
case "$run/" in
  /etc/*|/var/*|/home/*|/srv/*|/run/*)
    echo "sandbox: the run directory $run must lie outside /etc, /var, /home, /srv and /run" >&2
    exit 1 ;;
esac

if [ "${JOPANEL_SANDBOX:-}" != "$run" ]; then
  mkdir -p "$run"
  exec unshare --mount --pid --fork --mount-proc --propagation private -- \
    env JOPANEL_SANDBOX="$run" "$0" "$run" "$@"
fi

for d in etc var home srv; do
  mkdir -p "$run/sandbox/$d/upper" "$run/sandbox/$d/work" "$run/host/$d"
  mount --bind "/$d" "$run/host/$d"
  mount -o remount,bind,ro "$run/host/$d"
  mount -t overlay "jopanel-$d" \
    -o "lowerdir=/$d,upperdir=$run/sandbox/$d/upper,workdir=$run/sandbox/$d/work" "/$d"
done
mount -t tmpfs -o mode=0755,nosuid,nodev jopanel-run /run
mkdir -p /run/lock && chmod 1777 /run/lock
exec "$@"
