"""jopanel: the administrator's command line on a server (root; /usr/local/bin/jopanel).

    jopanel status                        every service, the agent's health, the schema, quotas
    jopanel admin create NAME             a new administrator; prints its password once
    jopanel admin reset-password NAME     a new password (every session of NAME ends)
    jopanel db-dump                       a dump of the panel's database in /var/backups/jopanel
    jopanel certificate status            the panel's own certificate and its last ACME attempt
    jopanel certificate issue             issue (or renew) it now from the ACME directory
    jopanel db-backups [--repository R]   the panel database's dumps in a backup repository
    jopanel db-restore ID [--repository R]  load one of them into the panel's database

It asks the agent over its socket (gRPC health and ServerService, as the gateway does) and runs
the gateway's own commands as the gateway's user, so MariaDB lets it in as it lets the gateway.
Two things have no API: making an administrator (no REST route creates one, and the first must
exist before anyone can sign in) and reading the schema version; both run as `jopanel-gateway`
subcommands through the gateway's data layer. The dump is mariadb-dump as MariaDB's root.
`jopanel certificate` runs `jopanel-gateway panel-certificate` the same way: the API's own
service (GET/POST /api/v1/server/certificate) without a sign-in, so the order is the same job
the ACME worker runs; the CLI never speaks ACME and never touches the key.

The panel's database is also dumped daily into the backup repositories by the agent (the
gateway's backup schedule asks it); `db-backups` lists those dumps and `db-restore` asks the
agent to load one (BackupService.RestorePanelDatabase: restic dump into mariadb, logged in as a
MariaDB user that holds the panel's database only). The gateway must be stopped first: it would
write into tables being replaced (docs/backups.md, "The panel's own database").
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Final

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from jopanel.agent.backups.v1 import backups_pb2, backups_pb2_grpc
from jopanel.agent.server.v1 import server_pb2, server_pb2_grpc

CONFIG: Final = Path("/etc/jopanel/gateway.toml")
AGENT_SOCKET: Final = "/run/jopanel/agent.sock"
GATEWAY_USER: Final = "jopanel"
BACKUPS: Final = Path("/var/backups/jopanel")
SERVICES: Final = (
    "jopanel-agent",
    "jopanel-gateway",
    "jopanel-acme",
    "mariadb",
    "nginx",
    "named",
    "cron",
)
TIMEOUT: Final = 10.0
WANTS: Final = Path("/etc/systemd/system/multi-user.target.wants")
# Loading the panel's database back (and listing dumps of a remote repository) takes longer.
RESTORE_TIMEOUT: Final = 3600.0


def gateway_command(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`jopanel-gateway ARGS` as the gateway's user, with no capabilities."""
    binary = Path(sys.executable).parent / "jopanel-gateway"
    argv = [
        "setpriv",
        f"--reuid={GATEWAY_USER}",
        f"--regid={GATEWAY_USER}",
        "--init-groups",
        "--inh-caps=-all",
        str(binary),
        "--config",
        str(CONFIG),
        *args,
    ]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)


def service_states() -> dict[str, str]:
    php = sorted(path.name for path in Path("/usr/sbin").glob("php-fpm*.*"))
    units = [*SERVICES, *(f"php{name.removeprefix('php-fpm')}-fpm" for name in php)]
    # The accounts' PHP-FPM masters, one per 256 uids, that the agent enabled (docs/web.md).
    masters = WANTS.glob("jopanel-php*-fpm@*.service")
    units += sorted(path.name.removesuffix(".service") for path in masters)
    states = {}
    for unit in units:
        done = subprocess.run(
            ["systemctl", "is-active", f"{unit}.service"],
            capture_output=True,
            text=True,
            check=False,
        )
        states[unit] = done.stdout.strip() or "unknown"
    return states


def agent_state() -> tuple[str, str]:
    """The agent's health and whether /home enforces disk quotas, asked over its socket."""
    try:
        with grpc.insecure_channel(f"unix:{AGENT_SOCKET}") as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=TIMEOUT
            )
            server = server_pb2_grpc.ServerServiceStub(channel).GetServerStatus(
                server_pb2.GetServerStatusRequest(), timeout=TIMEOUT
            )
    except grpc.RpcError as error:
        return f"unreachable ({error.code().name})", "unknown"
    serving = health_pb2.HealthCheckResponse.ServingStatus.Name(health.status)
    quotas = "enforced" if server.status.disk_quotas_enforced else "not enforced (docs/install.md)"
    return serving.lower(), quotas


def status() -> int:
    healthy = True
    for unit, state in service_states().items():
        print(f"{unit + ':':24} {state}")
        healthy &= state == "active"
    serving, quotas = agent_state()
    print(f"{'agent health:':24} {serving}")
    healthy &= serving == "serving"
    versions = gateway_command("schema-version")
    if versions.returncode == 0:
        applied, known = versions.stdout.split()
        note = "" if applied == known else f" (this release knows {known}: restart the gateway)"
        print(f"{'schema version:':24} {applied}{note}")
        healthy &= applied == known
    else:
        print(f"{'schema version:':24} unknown ({versions.stderr.strip()[-200:]})")
        healthy = False
    print(f"{'disk quotas on /home:':24} {quotas}")
    return 0 if healthy else 1


def admin(command: str, name: str) -> int:
    password = secrets.token_urlsafe(18)
    done = gateway_command(f"admin-{command}", "--name", name, stdin=password + "\n")
    answer = done.stdout.strip() or done.stderr.strip()[-300:]
    if done.returncode != 0:
        print(f"jopanel: {answer}", file=sys.stderr)
        return 1
    print(f"{name}: {answer}; the password (shown once): {password}")
    return 0


def db_dump() -> int:
    BACKUPS.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = BACKUPS / f"jopanel-{stamp}.sql.gz"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        dump = subprocess.Popen(
            [
                "mariadb-dump",
                "--single-transaction",
                "--routines",
                "--triggers",
                "--databases",
                "jopanel",
            ],
            stdout=subprocess.PIPE,
        )
        assert dump.stdout is not None
        gzip = subprocess.run(["gzip"], stdin=dump.stdout, stdout=out, check=False)
        dump.stdout.close()
        if dump.wait() != 0 or gzip.returncode != 0:
            path.unlink()
            print("jopanel: mariadb-dump failed", file=sys.stderr)
            return 1
    print(path)
    return 0


def certificate(action: str) -> int:
    done = gateway_command("panel-certificate", action)
    print(done.stdout.strip())
    if done.returncode != 0:
        print(f"jopanel: {done.stderr.strip()[-500:]}", file=sys.stderr)
    return done.returncode


def db_backups(stub: backups_pb2_grpc.BackupServiceStub, repository: str) -> int:
    request = backups_pb2.ListPanelDatabaseBackupsRequest(repository=repository)
    try:
        reply = stub.ListPanelDatabaseBackups(request, timeout=RESTORE_TIMEOUT)
    except grpc.RpcError as error:
        print(f"jopanel: {error.details()}", file=sys.stderr)
        return 1
    for dump in reply.backups:
        when = dump.time.ToDatetime(tzinfo=datetime.UTC)
        print(f"{dump.id}  {when:%Y-%m-%d %H:%M:%S}  {dump.bytes}")
    return 0


def db_restore(
    stub: backups_pb2_grpc.BackupServiceStub, dump: str, repository: str, gateway: str
) -> int:
    if gateway == "active":
        print(
            "jopanel: stop jopanel-gateway first (systemctl stop jopanel-gateway)", file=sys.stderr
        )
        return 1
    request = backups_pb2.RestorePanelDatabaseRequest(backup_id=dump, repository=repository)
    try:
        stub.RestorePanelDatabase(request, timeout=RESTORE_TIMEOUT)
    except grpc.RpcError as error:
        print(f"jopanel: {error.details()}", file=sys.stderr)
        return 1
    print(f"the panel's database is back as dump {dump} left it; start jopanel-gateway")
    return 0


def _backups_stub(channel: grpc.Channel) -> backups_pb2_grpc.BackupServiceStub:
    return backups_pb2_grpc.BackupServiceStub(channel)


def main() -> None:
    parser = argparse.ArgumentParser(prog="jopanel", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="services, agent health, schema version, disk quotas")
    admin_parser = sub.add_parser("admin", help="administrators")
    admin_parser.add_argument("action", choices=["create", "reset-password"])
    admin_parser.add_argument("name")
    sub.add_parser("db-dump", help="dump the panel's database to /var/backups/jopanel")
    certificate_parser = sub.add_parser("certificate", help="the panel's own certificate")
    certificate_parser.add_argument("action", choices=["status", "issue"])
    listing = sub.add_parser("db-backups", help="the panel database's dumps in a repository")
    listing.add_argument("--repository", default="", help="a remote repository's name")
    restoring = sub.add_parser("db-restore", help="load a dump into the panel's database")
    restoring.add_argument("id", help="the dump's id, as db-backups lists it")
    restoring.add_argument("--repository", default="", help="a remote repository's name")
    args = parser.parse_args()
    if os.geteuid() != 0:
        parser.error("run it as root")
    if args.command == "status":
        sys.exit(status())
    if args.command == "admin":
        sys.exit(admin(args.action, args.name))
    if args.command == "certificate":
        sys.exit(certificate(args.action))
    if args.command in ("db-backups", "db-restore"):
        with grpc.insecure_channel(f"unix:{AGENT_SOCKET}") as channel:
            stub = _backups_stub(channel)
            if args.command == "db-backups":
                sys.exit(db_backups(stub, args.repository))
            gateway = service_states().get("jopanel-gateway", "unknown")
            sys.exit(db_restore(stub, args.id, args.repository, gateway))
    sys.exit(db_dump())


if __name__ == "__main__":
    main()
