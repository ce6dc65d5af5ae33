"""The sandboxed JoPanel stack: MariaDB, the agent (root) and the gateway (user "jopanel").

Used by `make run` (scripts/run.sh), by the tests and by the benchmark, always inside the
sandbox that scripts/sandbox.sh makes, so every path here is the real production path of a
Debian server (/etc/jopanel, /var/lib, /run) seen through copy-on-write overlays.
"""

from __future__ import annotations

import contextlib
import os
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
ETC = Path("/etc/jopanel")
MARIADB_SOCKET = "/run/mysqld/mysqld.sock"
AGENT_SOCKET = "/run/jopanel/agent.sock"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(
    what: str,
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes] | None,
    log: Path,
    timeout: float = 60.0,
) -> None:
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
    """The unprivileged user the gateway runs as; its group may use the agent's socket."""
    if subprocess.run(["id", "-u", GATEWAY_USER], capture_output=True, check=False).returncode:
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
                GATEWAY_USER,
            ],
            check=True,
        )
    _let_gateway_user_reach(TOP)


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
                "--innodb-flush-log-at-trx-commit=2",
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


@dataclass
class Stack:
    """Agent and gateway configured for this sandbox, started as real processes."""

    run_dir: Path
    http_port: int
    mariadb: MariaDB
    static_dir: str = ""
    processes: list[Process] = field(default_factory=list)

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
        agent = Process(
            "agent",
            [str(VENV_BIN / "jopanel-agent"), "--config", str(ETC / "agent.toml")],
            self.logs / "agent.log",
        )
        agent.start()
        self.processes.append(agent)
        wait_for("the agent", unix_socket_ready(AGENT_SOCKET), agent.popen, agent.log)
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
        jwt_secret = ETC / "jwt.secret"
        if not jwt_secret.exists():
            _write(jwt_secret, secrets.token_urlsafe(48) + "\n", 0o640)
        _write(
            ETC / "agent.toml",
            f'socket_path = "{AGENT_SOCKET}"\ngateway_group = "{GATEWAY_USER}"\n',
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
                    "[database]",
                    f'user = "{GATEWAY_USER}"',
                    f'unix_socket = "{MARIADB_SOCKET}"',
                    "[auth]",
                    f'secret_file = "{jwt_secret}"',
                    "cookie_secure = false",
                ]
            )
            + "\n",
            0o640,
        )


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
        run_dir, port, mariadb, static_dir=str(dist) if (dist / "index.html").exists() else ""
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with running_mariadb(mariadb), running(stack):
        name, password = stack.ensure_admin()
        print(f"\nJoPanel is running at {stack.url}/  (API: {stack.url}/api/v1)")
        print(f"First administrator: {name} / {password}")
        print(f"Logs: {stack.logs}   Stop with Ctrl-C.\n", flush=True)
        try:
            while all(p.popen and p.popen.poll() is None for p in stack.processes):
                time.sleep(1)
            print("a process of the stack exited; see the logs", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
