#!/usr/bin/env bash
# Runs a command inside JoPanel's sandbox: a private mount and PID namespace in which /etc, /var
# and /srv are copy-on-write overlays whose upper layers live in RUN_DIR/sandbox, /home is a
# filesystem of its own, /run, /tmp, /var/tmp and /dev/shm are fresh tmpfs and System V IPC objects are the
# namespace's own (the agent removes what a deleted account left in /tmp, /dev/shm and SysV IPC:
# on the host's, that would be whatever a host user of the same uid owns). /home is ext4 in RUN_DIR/sandbox/home.img,
# mounted with user quotas as on a hosting server, where the kernel can enforce them; where it
# cannot (a kernel built without a quota format), it is an empty overlay and the agent reports
# disk quotas as not enforced. With JOPANEL_SANDBOX_NETWORK=own it has a network namespace of its
# own too (below). Inside it the agent works on the real paths (useradd, nginx, ...) while the
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
  network=()
  [ "${JOPANEL_SANDBOX_NETWORK:-}" = own ] && network=(--net)
  exec unshare --mount --pid --ipc ${network[@]+"${network[@]}"} --fork --mount-proc \
    --propagation private -- env JOPANEL_SANDBOX="$run" "$0" "$run" "$@"
fi
# A network namespace of its own where JOPANEL_SANDBOX_NETWORK=own asks (the test suite's halves):
# only a loopback, so no interface, route or firewall rule made inside reaches the host or the
# other half, nor one made outside reaches it (Chromium aborts its requests when any address
# of its namespace changes: ERR_NETWORK_CHANGED, as the other half's VPN tests made it do).
# `make run` keeps the host's network: its stack is reached from the host's browser.
if [ "${JOPANEL_SANDBOX_NETWORK:-}" = own ]; then
  ip link set lo up
fi

overlay() {
  mkdir -p "$run/sandbox/$1/upper" "$run/sandbox/$1/work"
  mount -t overlay "jopanel-$1" \
    -o "lowerdir=/$1,upperdir=$run/sandbox/$1/upper,workdir=$run/sandbox/$1/work" "/$1"
}
# The layers live on a tmpfs for this run only where JOPANEL_SANDBOX_MEMORY=1 asks (the test
# suite's halves: no disk write, journal or fsync of MariaDB's, /home's or the overlays' waits on
# the disk), and where they must: overlayfs cannot keep its upper layer on another overlayfs (a
# container's root, such as the bare-Debian check's chroot).
if [ "${JOPANEL_SANDBOX_MEMORY:-}" = 1 ] || [ "$(stat -f -c %T "$run")" = overlayfs ]; then
  mkdir -p "$run/sandbox"
  mount -t tmpfs -o mode=0700 jopanel-layers "$run/sandbox"
  echo "sandbox: this run's changes to /etc, /var, /srv and /home are kept in memory and forgotten when it ends" >&2
fi
for d in etc var home srv; do
  mkdir -p "$run/host/$d"
  mount --bind "/$d" "$run/host/$d"
  mount -o remount,bind,ro "$run/host/$d"
done
for d in etc var srv; do overlay "$d"; done
home_image="$run/sandbox/home.img"
if [ ! -e "$home_image" ]; then
  # Sparse: it takes on disk only what the homes hold.
  truncate -s 16G "$home_image"
  mkfs.ext4 -q -F -O quota -E quotatype=usrquota "$home_image"
fi
# Where loop is a module and no static device node asks for it (a minimal VM), load it first.
modprobe -q loop 2>/dev/null || true
if ! mount -o loop,usrquota,nosuid,nodev "$home_image" /home 2>/dev/null; then
  echo "sandbox: this kernel cannot enforce disk quotas; /home has none" >&2
  overlay home
fi
# Proxy backends' sockets (docs/web.md): a bind mount of its own, nosymfollow, so that no link an
# account plants there is ever followed (the installer adds the same line to fstab).
mkdir -p /home/.apps && chmod 0711 /home/.apps
mount --bind /home/.apps /home/.apps
mount -o remount,bind,nosymfollow /home/.apps ||
  echo "sandbox: this kernel has no nosymfollow; socket backends will be refused" >&2
mount -t tmpfs -o mode=0755,nosuid,nodev jopanel-run /run
mkdir -p /run/lock && chmod 1777 /run/lock
# A private /tmp hides a run directory made under it (mktemp -d /tmp/...): it is carried over,
# with the read-only host views mounted inside it, through /run.
carried=/run/.jopanel-sandbox-run
case "$run/" in /tmp/*) mkdir -p "$carried" && mount --rbind "$run" "$carried" ;; esac
mount -t tmpfs -o mode=1777,nosuid,nodev jopanel-tmp /tmp
case "$run/" in
  /tmp/*) mkdir -p "$run" && mount --move "$carried" "$run" && rmdir "$carried" ;;
esac
# /var/tmp too: the /var overlay would show the host's, which other programs change meanwhile
# and which the agent walks when it removes a deleted account's files.
mount -t tmpfs -o mode=1777,nosuid,nodev jopanel-var-tmp /var/tmp
mkdir -p /dev/shm  # a minimal VM's /dev may lack it
mount -t tmpfs -o mode=1777,nosuid,nodev jopanel-shm /dev/shm
exec "$@"
