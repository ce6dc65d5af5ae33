#!/usr/bin/env bash
# Runs inside the booted Debian 12 of scripts/test-install.sh (the checkout at /src, read-only):
# installs JoPanel, checks it as an administrator and an attacker would see it, upgrades it and
# checks that nothing was lost. Every check says what it expects; the first failure stops it.
#
#   bash /src/tests/install/checks.sh install PANEL_HOST   first boot: install, check, make records
#   bash /src/tests/install/checks.sh upgrade PANEL_HOST   after a reboot: all came back; upgrade
set -euo pipefail
# A match is looked for with `grep -q P <(command)`, never `command | grep -q P`: grep -q stops
# at the first match, the command then dies of SIGPIPE, and pipefail fails the check (it did, once
# the panel's dump outgrew the pipe's buffer).
phase=$1
host=$2
state=/root/install-checks.state   # what the first phase leaves the second (on the overlay)
url=https://$host
site=site.install-test.example
curl_panel=(curl -sS --resolve "$host:443:127.0.0.1" --resolve "$host:80:127.0.0.1"
  --cacert /etc/jopanel/tls/panel.crt)

step() { echo "checks: $*"; }
fail() { echo "checks: FAILED: $*" >&2; exit 1; }
expect() {  # expect WHAT ACTUAL WANTED
  [ "$2" = "$3" ] || fail "$1: got '$2', wanted '$3'${4:+ ($4)}"
}

install_jopanel() {
  # Offline, as the container has no network: pip from the image's wheelhouse, and npm (the
  # installer builds the SPA itself) from the image's npm cache, through npm's own settings.
  npm_config_cache=/var/cache/jopanel-npm npm_config_offline=true \
    bash /src/scripts/install.sh --wheels /var/cache/jopanel-wheels "$@"
}

spa_built_by_installer() {  # spa_built_by_installer LOG: https://HOST/ is the SPA the installer built
  local release asset
  grep -q '^install: building the web UI in ' "$1" || fail "the installer did not build the SPA"
  release=$(readlink -f /opt/jopanel/current)
  [ -f "$release/webui/index.html" ] && [ ! -L "$release/webui" ] ||
    fail "the release $release has no SPA of its own"
  "${curl_panel[@]}" -o /tmp/index.html "$url/"
  cmp -s /tmp/index.html "$release/webui/index.html" ||
    fail "GET / is not $release/webui/index.html"
  # Every script and style sheet the page loads is the release's file, byte for byte.
  for asset in $(grep -o '/assets/[^"]*' /tmp/index.html); do
    "${curl_panel[@]}" -o /tmp/asset "$url$asset"
    cmp -s /tmp/asset "$release/webui$asset" || fail "GET $asset is not the release's"
  done
  [ -n "${asset:-}" ] || fail "the SPA's index.html loads no /assets/"
  # Nothing is left behind: the checkout is bound read-only (a write there would have failed the
  # install) and the throwaway build folders are gone.
  grep -qE '(^|,)ro(,|$)' <(findmnt -n -o OPTIONS /src) || fail "/src is not read-only"
  if compgen -G '/tmp/jopanel-webui.*' >/dev/null || compgen -G '/tmp/jopanel-source.*' >/dev/null; then
    fail "the installer left its build folders in /tmp: $(ls -d /tmp/jopanel-*)"
  fi
}

sign_in() {  # sign_in NAME PASSWORD -> prints the access token
  local answer
  answer=$("${curl_panel[@]}" -H 'Content-Type: application/json' -D /tmp/login.headers \
    -d "{\"username\": \"$1\", \"password\": \"$2\"}" "$url/api/v1/auth/login")
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' <<<"$answer" ||
    fail "sign-in of $1: $answer"
}

api() {  # api METHOD PATH [BODY] -> prints "STATUS BODY"
  local args=(-X "$1" -H "Authorization: Bearer $token" -w '\n%{http_code}')
  [ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' -d "$3")
  local out
  out=$("${curl_panel[@]}" "${args[@]}" "$url$2")
  echo "$(tail -n 1 <<<"$out") $(sed '$d' <<<"$out")"
}

# A certificate order answers 202 with its job: its id, then its events until it ends (the
# stream closes after the final state); prints the last event's data (the ended job).
job_id() { grep -oE '"id": ?"[0-9a-f]{32}"' <<<"$1" | head -n 1 | grep -oE '[0-9a-f]{32}'; }
follow_job() {
  "${curl_panel[@]}" -N --max-time 300 -H "Authorization: Bearer $token" "$url/api/v1/jobs/$1/events" |
    sed -n 's/^data: //p' | tail -n 1
}

dns_checks() {
  expect "dig NS $site" "$(dig +short @127.0.0.1 "$site" NS | sort | tr '\n' ' ')" \
    "ns1.install-test.net. ns2.install-test.net. "
  # Debian's named lets anyone transfer a zone; the agent's zones.conf lets only the secondary
  # (127.0.0.2, --dns-secondaries) signing with the transfer key, so no one else lists a
  # tenant's records.
  local key
  expect "the transfer key" "$(stat -c '%a %U %G' /etc/bind/jopanel/transfer.key)" "640 root bind"
  key=$(sed -n 's/^\tsecret "\(.*\)";$/hmac-sha256:jopanel-transfer:\1/p' /etc/bind/jopanel/transfer.key)
  dig @127.0.0.1 "$site" AXFR | grep -q 'Transfer failed' ||
    fail "a zone transfer of $site was not refused"
  dig @127.0.0.1 -b 127.0.0.2 "$site" AXFR | grep -q 'Transfer failed' ||
    fail "a zone transfer of $site from the secondary's address without the key was not refused"
  dig @127.0.0.1 -b 127.0.0.2 -y "$key" "$site" AXFR | grep -q "^$site\..*IN.*SOA" ||
    fail "the secondary, with the key, could not transfer $site"
  expect "the database tenant1_app" "$(mariadb -N -B -e "SHOW DATABASES LIKE 'tenant1_app'")" tenant1_app
  grep -q 'echo install-test' <(crontab -l -u tenant1) || fail "tenant1's crontab has no job"
}

processes_hidden() {  # processes_hidden WHEN: tenant1 sees its own processes only
  local seen
  seen=$(setpriv --reuid=tenant1 --regid=tenant1 --init-groups ps -e -o user= | sort -u | tr '\n' ' ')
  expect "the users whose processes tenant1 sees $1" "$seen" "tenant1 "
  if setpriv --reuid=tenant1 --regid=tenant1 --init-groups cat /proc/1/cmdline >/dev/null 2>&1; then
    fail "tenant1 read /proc/1/cmdline $1"
  fi
  [ "$(ps -e -o user= | sort -u | wc -l)" -gt 3 ] || fail "root sees too few users' processes $1"
}

journal_and_timer() {  # the units log what they do; log rotation has its timer
  expect "logrotate.timer" "$(systemctl is-active logrotate.timer)" active
  journalctl -b -u jopanel-agent --no-pager |
    grep -q 'INFO agent.daemon: serving .* on /run/jopanel/agent.sock' ||
    fail "the agent's journal: $(journalctl -b -u jopanel-agent --no-pager | tail -n 5)"
  grep -q 'Started jopanel-gateway.service' <(journalctl -b -u jopanel-gateway --no-pager) ||
    fail "the gateway's journal: $(journalctl -b -u jopanel-gateway --no-pager | tail -n 5)"
}

connects='import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])'
acme_worker() {  # the ACME worker: its user, its hardening, its key, and it runs the orders
  local pid status
  pid=$(systemctl show -p MainPID --value jopanel-acme)
  [ "$pid" -gt 0 ] || fail "jopanel-acme has no main process"
  status=/proc/$pid/status
  expect "the worker's user" "$(ps -o user= -p "$pid")" jopanel-acme
  expect "the worker's capabilities" "$(sed -n 's/^CapEff:\t//p' "$status")" 0000000000000000
  expect "the worker's no_new_privs" "$(sed -n 's/^NoNewPrivs:\t//p' "$status")" 1
  # Its own socket of the agent (only its RPCs), never the gateway's (docs/certificates.md).
  if grep -qw "$(getent group jopanel | cut -d: -f3)" <(sed -n 's/^Groups:\t//p' "$status"); then
    fail "the worker is in group jopanel (the gateway's agent socket)"
  fi
  expect "the worker's agent socket" "$(stat -c '%a %U %G' /run/jopanel-acme/agent.sock)" \
    "660 root jopanel-acme"
  expect "its folder" "$(stat -c '%a %U %G' /run/jopanel-acme)" "750 root jopanel-acme"
  if setpriv --reuid=jopanel-acme --regid=jopanel-acme --init-groups python3 -c "$connects" \
      /run/jopanel/agent.sock 2>/dev/null; then
    fail "the worker's user reached the gateway's agent socket"
  fi
  if setpriv --reuid=jopanel --regid=jopanel --init-groups python3 -c "$connects" \
      /run/jopanel-acme/agent.sock 2>/dev/null; then
    fail "the gateway's user reached the worker's agent socket"
  fi
  if grep -q "pid=$pid," <(ss -H -ltnup); then fail "the worker listens: $(ss -H -ltnup | grep "pid=$pid,")"; fi
  # /etc/jopanel (the JWT secret, root's key file) is not there at all in its mount namespace.
  if nsenter --target "$pid" --mount test -e /etc/jopanel/jwt.secret; then
    fail "the worker sees /etc/jopanel/jwt.secret"
  fi
  expect "the ACME account key" "$(stat -c '%a %U' /etc/jopanel/acme/account.key)" "600 root"
  expect "the ACME key's folder" "$(stat -c '%a %U' /etc/jopanel/acme)" "700 root"
  nsenter --target "$pid" --mount test -s /run/credentials/jopanel-acme.service/acme-account-key ||
    fail "the worker has no acme-account-key credential"
  if setpriv --reuid=jopanel-acme --regid=jopanel-acme --init-groups cat /etc/jopanel/acme/account.key \
      >/dev/null 2>&1; then
    fail "the worker's user reads the ACME account key's file"
  fi
  for sql in "SELECT password_hash FROM jopanel.users" "DELETE FROM jopanel.jobs" \
      "SELECT * FROM jopanel.refresh_tokens" "DROP TABLE jopanel.certificates"; do
    if setpriv --reuid=jopanel-acme --regid=jopanel-acme --init-groups mariadb -e "$sql" \
        >/dev/null 2>&1; then
      fail "the worker's MariaDB user ran: $sql"
    fi
  done
  setpriv --reuid=jopanel-acme --regid=jopanel-acme --init-groups \
    mariadb -N -e "SELECT COUNT(*) FROM jopanel.certificates" >/dev/null ||
    fail "the worker's MariaDB user cannot read the certificates"
}

records_intact() {  # records_intact WHEN: every unit, record and site made by the first phase
  units_active
  journal_and_timer
  acme_worker
  processes_hidden "$1"
  token=$(sign_in admin "$(cat /etc/jopanel/admin-password)")
  answer=$(api GET /api/v1/accounts/tenant1)
  expect "GET /api/v1/accounts/tenant1 $1" "${answer%% *}" 200
  answer=$(api GET "/api/v1/domains/$site")
  expect "GET /api/v1/domains/$site $1" "${answer%% *}" 200
  sign_in tenant1 tenant1-secret-pw >/dev/null
  sign_in ops "$(cat "$state")" >/dev/null
  jopanel status >/dev/null || fail "jopanel status $1"
  dns_checks
  expect "the site $1" "$(curl -sS -H "Host: $site" http://127.0.0.1/whoami.php)" "$(id -u tenant1)"
  php_master "$1"
  vpn_back "$1"
}

vpn_back() {  # vpn_back WHEN: the VPN server set up in the first phase serves, its unit enabled
  [ -c /dev/net/tun ] || return 0
  expect "jopanel-openvpn $1" \
    "$(systemctl is-enabled jopanel-openvpn) $(systemctl is-active jopanel-openvpn)" "enabled active"
  answer=$(api GET /api/v1/vpn-server)
  expect "GET /api/v1/vpn-server $1" "${answer%% *}" 200 "$answer"
  grep -qE '"running": ?true' <<<"$answer" || fail "the VPN server does not serve $1: $answer"
}

php_master() {  # php_master WHEN: tenant1's pool is in its own master, a unit enabled and active
  local master
  master=$(ls /etc/systemd/system/jopanel-php*-fpm@.service | sed 's|.*/||; s|@.service||')
  master="$master@$(($(id -u tenant1) / 256)).service"
  expect "tenant1's PHP master $master $1" \
    "$(systemctl is-enabled "$master") $(systemctl is-active "$master")" "enabled active"
  [ -z "$(ls /etc/php/*/fpm/pool.d/jopanel-* 2>/dev/null)" ] ||
    fail "an account's pool is in Debian's master $1"
}

units_active() {
  local unit php
  php=$(systemctl list-units 'php*-fpm.service' 'jopanel-php*-fpm@*.service' --no-legend --plain |
    cut -d' ' -f1)
  for unit in jopanel-agent jopanel-gateway jopanel-acme nginx mariadb named cron ssh $php; do
    expect "systemctl is-active $unit" "$(systemctl is-active "$unit")" active
  done
}

if [ "$phase" = install ]; then
step "first install"
started=$SECONDS
install_jopanel --hostname "$host" --admin-email hostmaster@install-test.example \
  --nameservers ns1.install-test.net,ns2.install-test.net --dns-secondaries 127.0.0.2 |
  tee /tmp/install.log
step "installed in $((SECONDS - started)) s"
# The container's /home is on an overlay: the installer must say that plans get no disk quota.
grep -q "^install: disk quotas: /home (.*overlay) does not enforce" /tmp/install.log ||
  fail "the installer said nothing about disk quotas on /home"
grep -q "^install: DNS: .*/etc/bind/jopanel/transfer.key" /tmp/install.log ||
  fail "the installer did not say where the secondaries' transfer key is"
units_active
step "the journal says what each unit does; log rotation has its timer"
journal_and_timer

step "the SPA over HTTPS, HTTP/2, with a certificate for $host"
expect "GET / (HTTP version)" "$("${curl_panel[@]}" -o /tmp/index.html -w '%{http_version} %{http_code}' "$url/")" "2 200"
grep -q '<div id="root">' /tmp/index.html || fail "GET / is not the SPA's index.html"
step "the SPA is the one the installer built into /opt/jopanel, and nothing is left behind"
spa_built_by_installer /tmp/install.log
expect "GET /admin/accounts (a client-side route)" \
  "$("${curl_panel[@]}" -o /dev/null -w '%{http_code}' "$url/admin/accounts")" 200
grep -qi '^strict-transport-security: max-age=' <("${curl_panel[@]}" -sI "$url/") || fail "no HSTS on /"
grep -qi "^content-security-policy: default-src 'self'" <("${curl_panel[@]}" -sI "$url/") ||
  fail "no CSP on the SPA"

step "HTTP redirects to HTTPS"
headers=$("${curl_panel[@]}" -sI "http://$host/admin?x=1")
grep -q '^HTTP/1.1 301' <<<"$headers" || fail "http://$host/ answers: $headers"
grep -qi "^location: https://$host/admin?x=1" <<<"$headers" || fail "redirect: $headers"
step "a TLS connection for another name gets no certificate"
if curl -sS -k --resolve other.example:443:127.0.0.1 https://other.example/ -o /dev/null 2>/dev/null; then
  fail "https://other.example/ was served"
fi

step "the gateway listens on its Unix socket only, in a network namespace with no TCP or UDP"
gateway_pid=$(systemctl show -p MainPID --value jopanel-gateway)
if grep -q "pid=$gateway_pid," <(ss -H -ltnup); then
  fail "the gateway has a TCP or UDP port: $(ss -H -ltnup | grep "pid=$gateway_pid,")"
fi
[ "$(readlink /proc/$gateway_pid/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
  fail "the gateway shares the server's network namespace"
own_ports=$(nsenter --target "$gateway_pid" --net ss -H -atnup)
[ -z "$own_ports" ] || fail "the gateway's network namespace has TCP or UDP sockets: $own_ports"
nsenter --target "$gateway_pid" --net ss -H -lxp |
  grep -q "/run/jopanel-gateway/gateway.sock .*pid=$gateway_pid," ||
  fail "the gateway does not listen on /run/jopanel-gateway/gateway.sock"
expect "the socket's folder" "$(stat -c '%a %U %G' /run/jopanel-gateway)" "2750 jopanel www-data"
expect "the socket" "$(stat -c '%a %U %G' /run/jopanel-gateway/gateway.sock)" "660 jopanel www-data"
if setpriv --reuid=nobody --regid=nogroup --clear-groups \
    curl -s --unix-socket /run/jopanel-gateway/gateway.sock http://x/api/v1/openapi.json >/dev/null; then
  fail "a user outside www-data reached the gateway's socket"
fi

step "an administrator signs in through nginx; the refresh cookie is Secure"
token=$(sign_in admin "$(cat /etc/jopanel/admin-password)")
grep -q '; Secure' <(grep -i '^set-cookie:' /tmp/login.headers) || fail "the refresh cookie is not Secure"
answer=$(api GET /api/v1/accounts)
expect "GET /api/v1/accounts" "${answer%% *}" 200

step "an account and a PHP site, running as the account"
answer=$(api POST /api/v1/accounts '{"name": "tenant1", "password": "tenant1-secret-pw"}')
expect "POST /api/v1/accounts" "${answer%% *}" 201 "$answer"
answer=$(api POST /api/v1/domains "{\"name\": \"$site\", \"account\": \"tenant1\", \"dns_zone\": true}")
expect "POST /api/v1/domains" "${answer%% *}" 201 "$answer"
root=/home/tenant1/web/$site/public_html
setpriv --reuid=tenant1 --regid=tenant1 --clear-groups \
  sh -c "printf '<?php echo posix_geteuid();' >$root/whoami.php"
expect "the site's PHP runs as tenant1" \
  "$(curl -sS -H "Host: $site" http://127.0.0.1/whoami.php)" "$(id -u tenant1)"
php_master "after its first PHP site"
# account_processes (512 by default) holds every way the account starts programs.
setpriv --reuid=tenant1 --regid=tenant1 --clear-groups \
  sh -c "printf '<?php echo posix_getrlimit()[\"hard maxproc\"];' >$root/nproc.php"
expect "the process limit of tenant1's PHP" \
  "$(curl -sS -H "Host: $site" http://127.0.0.1/nproc.php)" 512
expect "the process limit of tenant1's PAM sessions (cron, SSH)" \
  "$(runuser -l tenant1 -s /bin/bash -c 'ulimit -u' 2>/dev/null)" 512
# What tenant1's PHP starts gets its master's /dev/shm (64M for all its accounts), not the
# system's, and no namespace; the same programs outside PHP are not held back (the control).
setpriv --reuid=tenant1 --regid=tenant1 --clear-groups sh -c "cat >$root/confined.php" <<'PHP'
<?php
exec('dd if=/dev/zero of=/dev/shm/jp-fill bs=1M count=100 2>/dev/null; stat -c %s /dev/shm/jp-fill; rm -f /dev/shm/jp-fill', $out);
exec('unshare --user true 2>/dev/null; echo $?', $out);
echo implode(' ', $out);
PHP
expect "/dev/shm filled and a user namespace asked for by tenant1's PHP" \
  "$(curl -sS -H "Host: $site" http://127.0.0.1/confined.php)" "67108864 1"
[ ! -e /dev/shm/jp-fill ] || fail "tenant1's PHP wrote the system's /dev/shm"
expect "a user namespace for tenant1 outside PHP (the control)" \
  "$(setpriv --reuid=tenant1 --regid=tenant1 --clear-groups sh -c 'unshare --user true; echo $?')" 0
# Its PAM sessions (SSH through common-session, cron through -noninteractive: su runs the
# first) have their own /tmp: pam_namespace, in the folder systemd-tmpfiles keeps for it.
su - tenant1 -s /bin/bash -c 'echo mine >/tmp/jp-private-tmp' || fail "tenant1's PAM session failed"
[ ! -e /tmp/jp-private-tmp ] || fail "tenant1's session wrote the shared /tmp"
expect "tenant1's /tmp in its next session" \
  "$(su - tenant1 -s /bin/bash -c 'cat /tmp/jp-private-tmp' 2>/dev/null)" mine
grep -q pam_namespace.so /etc/pam.d/common-session-noninteractive ||
  fail "cron's sessions (common-session-noninteractive) do not run pam_namespace"
expect "the instance folders' modes" "$(stat -c %a:%U /home/.jopanel-tmp /home/.jopanel-vartmp | tr '\n' ' ')" "0:root 0:root "
step "an application on the account's own socket, behind nginx"
grep -qx nosymfollow <(findmnt -no OPTIONS /home/.apps | tr , '\n') || fail "/home/.apps is not nosymfollow"
app=app.install-test.example
answer=$(api POST /api/v1/domains "{\"name\": \"$app\", \"account\": \"tenant1\",
  \"backend\": {\"type\": \"proxy\", \"socket_path\": \"/home/.apps/tenant1/app.sock\"}}")
expect "POST /api/v1/domains (socket backend)" "${answer%% *}" 201 "$answer"
app_server='
import os, socketserver, sys
from http.server import BaseHTTPRequestHandler
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"app of %d" % os.getuid()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def address_string(self):
        return "unix"
server = socketserver.UnixStreamServer(sys.argv[1], Handler)
os.chmod(sys.argv[1], 0o666)
server.serve_forever()
'
setpriv --reuid=tenant1 --regid=tenant1 --clear-groups python3 -c "$app_server" \
  /home/.apps/tenant1/app.sock &
app_pid=$!
for _ in $(seq 100); do [ -S /home/.apps/tenant1/app.sock ] && break; sleep 0.1; done
expect "the account's app through nginx" \
  "$(curl -sS -H "Host: $app" http://127.0.0.1/)" "app of $(id -u tenant1)"
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true

step "an account with a site is deleted through the hardened agent: its user, home and site go"
answer=$(api POST /api/v1/accounts '{"name": "tenant2", "password": "tenant2-secret-pw"}')
expect "POST /api/v1/accounts (tenant2)" "${answer%% *}" 201 "$answer"
answer=$(api POST /api/v1/domains '{"name": "gone.install-test.example", "account": "tenant2"}')
expect "POST /api/v1/domains (tenant2)" "${answer%% *}" 201 "$answer"
# What it leaves in the shared /tmp and /var/tmp (a program outside a PAM session: PHP's
# exec), and in its private /tmp (a PAM session), goes with it: the agent sees the real ones.
setpriv --reuid=tenant2 --regid=tenant2 --clear-groups \
  sh -c 'echo x >/tmp/jp-tenant2-left; echo x >/var/tmp/jp-tenant2-left'
su - tenant2 -s /bin/bash -c 'echo x >/tmp/jp-tenant2-private' || fail "tenant2's PAM session failed"
[ -e /home/.jopanel-tmp/tenant2/jp-tenant2-private ] || fail "tenant2's private /tmp is not there"
answer=$(api DELETE /api/v1/accounts/tenant2)
expect "DELETE /api/v1/accounts/tenant2" "${answer%% *}" 204 "$answer"
if id tenant2 >/dev/null 2>&1 || [ -e /home/tenant2 ]; then fail "tenant2's user or home is left"; fi
for left in /tmp/jp-tenant2-left /var/tmp/jp-tenant2-left /home/.jopanel-tmp/tenant2; do
  [ ! -e "$left" ] || fail "$left outlived tenant2"
done
expect "tenant2's site after the deletion" \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: gone.install-test.example' http://127.0.0.1/)" 404

step "a tenant's shell reaches neither socket nor MariaDB's administrator"
as_tenant() { setpriv --reuid=tenant1 --regid=tenant1 --init-groups --inh-caps=-all "$@"; }
connects='import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])'
# The same probes succeed for those who may: the gateway's user at the agent's socket, nginx's
# at the gateway's, root at MariaDB.
setpriv --reuid=jopanel --regid=jopanel --init-groups python3 -c "$connects" /run/jopanel/agent.sock ||
  fail "the gateway's user cannot reach the agent's socket"
setpriv --reuid=www-data --regid=www-data --init-groups python3 -c "$connects" \
  /run/jopanel-gateway/gateway.sock || fail "nginx's user cannot reach the gateway's socket"
mariadb -u root -e 'SELECT 1' >/dev/null || fail "root cannot sign in to MariaDB"
for socket in /run/jopanel/agent.sock /run/jopanel-acme/agent.sock /run/jopanel-gateway/gateway.sock; do
  if as_tenant python3 -c "$connects" "$socket" 2>/dev/null; then
    fail "tenant1 connected to $socket"
  fi
done
for account in root mysql jopanel; do
  if as_tenant mariadb -u "$account" -e 'SELECT 1' >/dev/null 2>&1; then
    fail "tenant1 signed in to MariaDB as $account"
  fi
done

processes_hidden "(hidepid)"

step "its DNS zone on named, a database on MariaDB, a cron job in cron's spool"
answer=$(api POST /api/v1/databases '{"name": "tenant1_app", "account": "tenant1"}')
expect "POST /api/v1/databases" "${answer%% *}" 201 "$answer"
answer=$(api POST /api/v1/cron-jobs '{"schedule": "@daily", "command": "echo install-test", "account": "tenant1"}')
expect "POST /api/v1/cron-jobs" "${answer%% *}" 201 "$answer"
dns_checks

step "the ACME worker: its user, hardening, key and grants; it takes the orders the gateway queues"
acme_worker
answer=$(api PUT /api/v1/certificate-settings '{"directory_url": "http://acme.example/directory"}')
expect "PUT /api/v1/certificate-settings (http://)" "${answer%% *}" 400 "$answer"
# A CA that is not there (the container has no network): the worker runs the order and says why.
answer=$(api PUT /api/v1/certificate-settings \
  '{"directory_url": "https://127.0.0.1:9/directory", "email": "hostmaster@install-test.example"}')
expect "PUT /api/v1/certificate-settings" "${answer%% *}" 200 "$answer"
answer=$(api POST "/api/v1/domains/$site/certificate" '{}')
expect "POST /api/v1/domains/$site/certificate (its job at once)" "${answer%% *}" 202 "$answer"
job=$(job_id "$answer")
again=$(api POST "/api/v1/domains/$site/certificate" '{}')
# Unless the worker ended it already: then a second order is allowed (and followed below).
case "${again%% *}" in
  409) grep -q "$job" <<<"$again" || fail "the 409 does not name the order under way: $again" ;;
  202) job=$(job_id "$again") ;;
  *) fail "POST /api/v1/domains/$site/certificate again: $again" ;;
esac
ended=$(follow_job "$job")
grep -qE '"state": ?"failed"' <<<"$ended" || fail "the certificate job after the worker: $ended"
answer=$(api GET "/api/v1/domains/$site/certificate")
grep -qE '"status": ?"failed"' <<<"$answer" || fail "the certificate's record after the refusal: $answer"
grep -qE 'does not resolve|self-test|could not reach' <<<"$answer" ||
  fail "the worker's refusal does not say why: $answer"
grep -q 'certificate.issue' <(mariadb -N -e "SELECT action FROM jopanel.audit_log WHERE actor = 'admin'") ||
  fail "the worker's attempt is not in the audit log"

step "the panel's own certificate: refused cleanly while the CA is unreachable, the self-signed one keeps serving"
panel_fingerprint() {
  openssl s_client -connect 127.0.0.1:443 -servername "$host" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256
}
before=$(panel_fingerprint)
[ -n "$before" ] || fail "no certificate served for $host"
expect "the panel's include" "$(cat /etc/jopanel/tls/panel-tls.conf)" \
  "$(printf 'ssl_certificate /etc/jopanel/tls/panel.crt;\nssl_certificate_key /etc/jopanel/tls/panel.key;')"
expect "the panel's challenge path (not redirected)" \
  "$(curl -s -o /dev/null -w '%{http_code}' --resolve "$host:80:127.0.0.1" "http://$host/.well-known/acme-challenge/x")" 404
answer=$(api POST /api/v1/server/certificate '{"host_name": "evil.example"}')
expect "POST /api/v1/server/certificate (a host name from the client)" "${answer%% *}" 400 "$answer"
answer=$(api POST /api/v1/server/certificate '{}')
expect "POST /api/v1/server/certificate (its job at once)" "${answer%% *}" 202 "$answer"
answer=$(follow_job "$(job_id "$answer")")
grep -qE '"state": ?"failed"' <<<"$answer" || fail "the panel certificate's job after the worker: $answer"
grep -qE 'does not resolve|self-test|could not|refused' <<<"$answer" ||
  fail "the panel certificate's refusal does not say why: $answer"
answer=$(api GET /api/v1/server/certificate)
grep -qE '"self_signed": ?true' <<<"$answer" || fail "the panel's served certificate after the refusal: $answer"
grep -qE '"status": ?"failed"' <<<"$answer" || fail "the panel certificate's record after the refusal: $answer"
expect "the certificate served after the refusal" "$(panel_fingerprint)" "$before"
expect "GET / after the refusal" "$("${curl_panel[@]}" -o /dev/null -w '%{http_code}' "$url/")" 200
/usr/local/bin/jopanel certificate status >/tmp/panel-cert.json || fail "jopanel certificate status failed"
grep -qE '"self_signed": ?true' /tmp/panel-cert.json || fail "jopanel certificate status: $(cat /tmp/panel-cert.json)"
if /usr/local/bin/jopanel certificate issue >/tmp/panel-cert.json 2>/tmp/panel-cert.err; then
  fail "jopanel certificate issue succeeded without a CA"
fi
grep -q 'not issued' /tmp/panel-cert.err || fail "jopanel certificate issue: $(cat /tmp/panel-cert.err)"
grep -q 'stage: failed' /tmp/panel-cert.err || fail "jopanel certificate issue shows no final stage: $(cat /tmp/panel-cert.err)"
expect "the certificate served after the CLI's refusal" "$(panel_fingerprint)" "$before"

step "sshd serves SFTP to a managed account, and refuses it while the account is suspended"
ssh-keygen -q -t ed25519 -N '' -C tenant1 -f /root/tenant1-key
answer=$(api POST /api/v1/ssh-keys "{\"public_key\": \"$(cat /root/tenant1-key.pub)\", \"account\": \"tenant1\"}")
expect "POST /api/v1/ssh-keys" "${answer%% *}" 201 "$answer"
sftp_ls() {
  sftp -b - -i /root/tenant1-key -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null tenant1@127.0.0.1 <<<"ls web" 2>/dev/null
}
grep -q "$site" <(sftp_ls) || fail "tenant1 lists no $site over SFTP"
if ssh -i /root/tenant1-key -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null tenant1@127.0.0.1 id >/dev/null 2>&1; then
  fail "tenant1 ran a command over SSH"
fi
answer=$(api POST /api/v1/accounts/tenant1/suspend)
expect "POST /api/v1/accounts/tenant1/suspend" "${answer%% *}" 200 "$answer"
if sftp_ls >/dev/null; then fail "a suspended tenant1 signed in over SFTP"; fi
answer=$(api POST /api/v1/accounts/tenant1/unsuspend)
expect "POST /api/v1/accounts/tenant1/unsuspend" "${answer%% *}" 200 "$answer"
grep -q "$site" <(sftp_ls) || fail "tenant1 lists no $site over SFTP after the suspension"

step "a plan with ssh_shell gives tenant1 a shell over SSH (as itself, no socket of the panel); without it, none"
ssh_run() {
  ssh -i /root/tenant1-key -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null tenant1@127.0.0.1 "$@" 2>/dev/null
}
answer=$(api POST /api/v1/plans '{"name": "shell", "ssh_shell": true}')
expect "POST /api/v1/plans (ssh_shell)" "${answer%% *}" 201 "$answer"
answer=$(api PATCH /api/v1/accounts/tenant1 '{"plan": "shell", "shell": "bash"}')
expect "PATCH /api/v1/accounts/tenant1 (plan shell, bash)" "${answer%% *}" 200 "$answer"
expect "id -u over SSH as tenant1" "$(ssh_run id -u)" "$(id -u tenant1)"
expect "tenant1's home over SSH (no chroot)" "$(ssh_run pwd)" /home/tenant1
for sock in /run/jopanel/agent.sock /run/jopanel-gateway/gateway.sock; do
  if ssh_run curl -sS --max-time 5 --unix-socket "$sock" http://panel/ >/dev/null; then
    fail "tenant1's shell connected to $sock"
  fi
done
answer=$(api PATCH /api/v1/accounts/tenant1 '{"plan": "default", "shell": "nologin"}')
expect "PATCH /api/v1/accounts/tenant1 (back to default, nologin)" "${answer%% *}" 200 "$answer"
if ssh_run id >/dev/null; then fail "tenant1 ran a command over SSH after its plan lost the shell"; fi
grep -q "$site" <(sftp_ls) || fail "tenant1 lists no $site over SFTP after its shell was taken"
answer=$(api DELETE /api/v1/plans/shell)
expect "DELETE /api/v1/plans/shell" "${answer%% *}" 204 "$answer"

step "jopanel-openvpn.service: its unit verifies; it starts once a VPN server is set up (and after the reboot)"
systemd-analyze verify /etc/systemd/system/jopanel-openvpn.service ||
  fail "jopanel-openvpn.service does not verify"
if [ -c /dev/net/tun ]; then
  answer=$(api PUT /api/v1/vpn-server '{"network": "10.8.0.0/24", "public_address": "vpn.install-test.example"}')
  expect "PUT /api/v1/vpn-server" "${answer%% *}" 200 "$answer"
  expect "jopanel-openvpn after the VPN server's set-up" \
    "$(systemctl is-enabled jopanel-openvpn) $(systemctl is-active jopanel-openvpn)" "enabled active"
else
  step "  (no /dev/net/tun in this container: the unit is verified, not started)"
fi

step "nginx allows each worker 8192 descriptors (one line in nginx.conf)"
expect "worker_rlimit_nofile lines" "$(grep -c '^worker_rlimit_nofile 8192;$' /etc/nginx/nginx.conf)" 1

step "gixy finds nothing above LOW in the whole nginx configuration (the panel's and the site's)"
python3 -m venv /tmp/gixy
/tmp/gixy/bin/pip install -q --no-index --find-links /var/cache/jopanel-wheels \
  "$(grep '^gixy-ng==' /src/requirements.txt)"
/tmp/gixy/bin/gixy -ll /etc/nginx/nginx.conf || fail "gixy reports issues above LOW"

step "logrotate rotates the site's and the panel's logs; nginx reopens them, no restart"
site_log=/var/log/jopanel/web/$site/access.log
grep -q whoami.php "$site_log" || fail "$site_log does not show the request"
nginx_pid=$(cat /run/nginx.pid)
logrotate -f /etc/logrotate.d/jopanel /etc/logrotate.d/jopanel-sites || fail "logrotate failed"
[ -s "$site_log.1" ] && [ -s /var/log/jopanel/panel-access.log.1 ] || fail "nothing was rotated"
curl -sS -o /dev/null -H "Host: $site" http://127.0.0.1/whoami.php
"${curl_panel[@]}" -o /dev/null "$url/"
grep -q whoami.php "$site_log" || fail "nginx did not reopen $site_log"
[ -s /var/log/jopanel/panel-access.log ] || fail "nginx did not reopen panel-access.log"
expect "nginx's master after the rotation" "$(cat /run/nginx.pid)" "$nginx_pid"

step "the jopanel command: status, admin create and reset-password, db-dump"
jopanel status | tee /tmp/status.out || fail "jopanel status is not all well"
grep -q '^agent health: *serving$' /tmp/status.out || fail "jopanel status: no agent health"
grep -q '^schema version: *[0-9]' /tmp/status.out || fail "jopanel status: no schema version"
grep -q '^disk quotas on /home: ' /tmp/status.out || fail "jopanel status: no quota state"
ops_password=$(jopanel admin create ops | sed -n 's/.*(shown once): //p')
[ -n "$ops_password" ] || fail "jopanel admin create printed no password"
sign_in ops "$ops_password" >/dev/null
jopanel admin create ops >/dev/null 2>&1 && fail "jopanel admin create made a second ops"
jopanel admin create tenant1 >/dev/null 2>&1 && fail "an administrator took an account's name"
new_password=$(jopanel admin reset-password ops | sed -n 's/.*(shown once): //p')
echo "$new_password" >"$state"
sign_in ops "$new_password" >/dev/null
expect "the old password after reset-password" "$("${curl_panel[@]}" -o /dev/null -w '%{http_code}' \
  -H 'Content-Type: application/json' -d "{\"username\": \"ops\", \"password\": \"$ops_password\"}" \
  "$url/api/v1/auth/login")" 401
dump=$(jopanel db-dump)
expect "the dump's mode" "$(stat -c %a "$dump")" 600
grep -q "'tenant1'" <(zcat "$dump") || fail "jopanel db-dump holds no tenant1"

step "the panel's host name is not a tenant's"
grep -q "^server_names = \[\"$host\"\]" /etc/jopanel/agent.toml || fail "agent.toml reserves no $host"
grep -q "^server_names = \[\"$host\"\]" /etc/jopanel/gateway.toml || fail "gateway.toml reserves no $host"
answer=$(api POST /api/v1/domains "{\"name\": \"$host\", \"account\": \"tenant1\"}")
# A host name the document allows, refused by the server's own rule: 422 (docs/api.md).
[ "${answer%% *}" = 422 ] || fail "a tenant's claim of the panel's host name $host got ${answer%% *}, not 422"
answer=$(api POST /api/v1/domains "{\"name\": \"shop.$host\", \"account\": \"tenant1\"}")
[ "${answer%% *}" = 422 ] || fail "a tenant's claim of shop.$host got ${answer%% *}, not 422"

step "security scores (systemd-analyze security)"
for unit in jopanel-gateway jopanel-acme jopanel-agent; do
  echo "  $unit: $(systemd-analyze security --no-pager "$unit.service" | tail -n 1)"
done
if [ -n "${JOPANEL_SECURITY_DETAIL:-}" ]; then
  systemd-analyze security --no-pager jopanel-agent.service jopanel-gateway.service | grep -v '^  ✓'
fi
score=$(systemd-analyze security --no-pager jopanel-gateway.service | tail -n 1 |
  sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "the gateway's exposure is $score, above 2.0"
score=$(systemd-analyze security --no-pager jopanel-acme.service | tail -n 1 |
  sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "the ACME worker's exposure is $score, above 2.0"

step "first phase passed; the container reboots"
exit 0
fi

step "after the reboot: every unit, record and site is back"
records_intact "after the reboot"
# The reboot emptied the accounts' private /tmp as it empties /tmp (systemd-tmpfiles' D line)
# and kept the folder, root's, so their sessions still get a private /tmp.
expect "the instance folder after the reboot" "$(stat -c %a:%U /home/.jopanel-tmp)" 0:root
[ ! -e /home/.jopanel-tmp/tenant1/jp-private-tmp ] || fail "the reboot kept tenant1's private /tmp"
su - tenant1 -s /bin/bash -c 'echo again >/tmp/jp-private-tmp' ||
  fail "tenant1's PAM session failed after the reboot"
[ ! -e /tmp/jp-private-tmp ] || fail "tenant1's session wrote the shared /tmp after the reboot"

step "the upgrade: the installer again, with no options"
started=$SECONDS
cp /etc/fstab /tmp/fstab.before
# --enable-quotas where /home cannot have them (an overlay here): it changes nothing and says so.
install_jopanel --enable-quotas | tee /tmp/upgrade.log
cmp -s /etc/fstab /tmp/fstab.before || fail "--enable-quotas changed /etc/fstab for an overlay /home"
grep -q "^install:   overlay is not supported for them" /tmp/upgrade.log ||
  fail "--enable-quotas did not say an overlay /home cannot have quotas"
step "upgraded in $((SECONDS - started)) s"
dump=$(sed -n 's/.*dumped to \([^ ]*\) .*/\1/p' /tmp/upgrade.log)
[ -n "$dump" ] && [ -s "$dump" ] || fail "the upgrade made no dump of the panel's database"
grep -q "'tenant1'" <(zcat "$dump") || fail "the dump $dump holds no tenant1"
expect "releases kept (current and previous)" "$(ls /opt/jopanel/releases | wc -l)" 2
expect "worker_rlimit_nofile lines after the upgrade" \
  "$(grep -c '^worker_rlimit_nofile 8192;$' /etc/nginx/nginx.conf)" 1
step "the upgrade's SPA is the one it built"
spa_built_by_installer /tmp/upgrade.log
records_intact "after the upgrade"
step "passed"
