"""`make bench`, backups: an account of 20,000 files and 1 GB and a 200 MB database, backed up
through the REST API (a job: gateway -> agent -> restic at low priority), against restic alone
on the same data in the same run (a fresh repository, normal priority); then a second backup
after 1% of the files changed, and a full restore beside the home.

JOPANEL_BENCH_BACKUP_SCALE (default 1) scales the files, bytes and rows, for a quick look.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import stack
from bench_web import login, post_all

from agent.system.backups.repository import LOW_PRIORITY

ACCOUNT = "bench_backup"
PASSWORD = "bench-pass-1"  # noqa: S105 (the benchmark's own throwaway account)
SCALE = float(os.environ.get("JOPANEL_BENCH_BACKUP_SCALE", "1"))
FILES = max(100, int(20_000 * SCALE))
BYTES = max(1 << 20, int((1 << 30) * SCALE))
ROWS = max(1000, int(200_000 * SCALE))  # 1 KiB each: 200 MB
ALONE_REPOSITORY = Path("/var/backups/bench-restic-alone")


def make_home(home: Path, uid: int, gid: int) -> None:
    """FILES files of random bytes (incompressible, as restic sees most sites' media)."""
    size = BYTES // FILES
    for index in range(FILES):
        folder = home / "web" / f"d{index // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{index:05d}.bin").write_bytes(os.urandom(size))
    subprocess.run(["chown", "-R", f"{uid}:{gid}", str(home / "web")], check=True)


def change_one_percent(home: Path) -> None:
    size = BYTES // FILES
    for index in range(0, FILES, 100):
        (home / "web" / f"d{index // 500:03d}" / f"f{index:05d}.bin").write_bytes(os.urandom(size))


def fill_database(name: str) -> None:
    # ROWS 1 KiB rows of random bytes, from MariaDB's sequence engine (seq_1_to_N).
    table = "CREATE TABLE blobs (id INT PRIMARY KEY, data VARBINARY(1024))"
    rows = f"INSERT INTO blobs SELECT seq, RANDOM_BYTES(1024) FROM seq_1_to_{ROWS:d}"  # noqa: S608
    sql = f"{table}; {rows}"
    argv = ["mariadb", "--no-defaults", f"--socket={stack.MARIADB_SOCKET}"]
    subprocess.run([*argv, f"--database={name}", "--execute", sql], check=True)


async def follow(base: str, token: str, job: str) -> dict[str, Any]:
    """The job's last state, from its event stream (which ends with the job)."""
    last: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(f"{base}/jobs/{job}/events", headers=headers) as response,
    ):
        async for raw in response.content:
            line = raw.decode().strip()
            if line.startswith("data: "):
                last = json.loads(line.removeprefix("data: "))
    return last


async def timed_job(base: str, admin: tuple[str, str], path: str, body: dict[str, Any]) -> Any:
    token = await login(base, *admin)  # access tokens live 5 minutes; a run may be longer
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{base}{path}", json=body, headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        job = await response.json()
        assert response.status == 202, job
    started = time.monotonic()
    last = await follow(base, token, job["id"])
    seconds = time.monotonic() - started
    assert last["state"] == "succeeded", last
    return seconds, last


def restic_alone(home: Path, database: str, priority: tuple[str, ...] = ()) -> float:
    """The same home and dump (the agent's dump options) with restic alone, into a fresh
    repository of its own; `priority` is a nice/ionice prefix, or none."""
    shutil.rmtree(ALONE_REPOSITORY, ignore_errors=True)
    password = ALONE_REPOSITORY.with_suffix(".key")
    password.write_text("bench\n")
    base = [*priority, "restic", "--repo", str(ALONE_REPOSITORY)]
    base += ["--password-file", str(password), "-q"]
    subprocess.run([*base, "init"], check=True, capture_output=True)
    started = time.monotonic()
    subprocess.run([*base, "backup", str(home)], check=True)
    dump_argv = [*priority, "mariadb-dump", f"--socket={stack.MARIADB_SOCKET}"]
    dump_argv += ["--single-transaction", "--routines", "--triggers", "--events", "--hex-blob"]
    dump = subprocess.Popen([*dump_argv, database], stdout=subprocess.PIPE)
    subprocess.run([*base, "backup", "--stdin", "--stdin-filename", "db.sql"], stdin=dump.stdout)
    dump.wait()
    return time.monotonic() - started


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    token = await login(base, *admin)
    account: dict[str, object] = {"name": ACCOUNT, "password": PASSWORD}
    await post_all(base, token, [("/accounts", account)], 1)
    database = f"{ACCOUNT}_data"
    wanted: dict[str, object] = {"name": database, "account": ACCOUNT}
    await post_all(base, token, [("/databases", wanted)], 1)
    user = pwd.getpwnam(ACCOUNT)
    home = Path(user.pw_dir)
    make_home(home, user.pw_uid, user.pw_gid)
    fill_database(database)

    # The repository is made (and its key derived) at the first backup of the server: once per
    # server, so it is not what a backup costs. A backup of an empty account makes it first.
    warm: dict[str, object] = {"name": f"{ACCOUNT}_warm", "password": PASSWORD}
    await post_all(base, token, [("/accounts", warm)], 1)
    await timed_job(base, admin, "/backups", {"account": warm["name"]})
    first_seconds, first = await timed_job(base, admin, "/backups", {"account": ACCOUNT})
    alone_seconds = restic_alone(home, database)
    alone_low_seconds = restic_alone(home, database, LOW_PRIORITY)
    change_one_percent(home)
    second_seconds, second = await timed_job(base, admin, "/backups", {"account": ACCOUNT})
    token = await login(base, *admin)
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{base}/backups?account={ACCOUNT}", headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        backups = {b["id"]: b for b in (await response.json())["items"]}
    restore = {"account": ACCOUNT, "what": "account", "placement": "beside"}
    restore_seconds, _ = await timed_job(
        base, admin, f"/backups/{first['result']}/restore", restore
    )

    total = BYTES + ROWS * 1024
    mb = 1 << 20
    print(
        f"\nJoPanel bench, backups: {FILES} files and {BYTES / mb:.0f} MB of random bytes, a "
        f"{ROWS * 1024 / mb:.0f} MB database, {os.cpu_count()} cores, all rows in this run\n"
    )
    print(f"| {'run':<46} | {'seconds':>8} | {'MB/s':>7} | {'added MB':>9} |")
    print(f"|{'-' * 48}|{'-' * 10}|{'-' * 9}|{'-' * 11}|")
    rows = [
        ("first backup (REST job, nice 19, ionice be/7)", first_seconds, backups[first["result"]]),
        ("restic alone, same data (normal priority)", alone_seconds, None),
        ("restic alone, same data, nice 19, ionice be/7", alone_low_seconds, None),
        ("second backup after 1% of files changed", second_seconds, backups[second["result"]]),
        ("full restore beside the home", restore_seconds, None),
    ]
    for label, seconds, backup in rows:
        added = f"{backup['added_bytes'] / mb:9.1f}" if backup else f"{'':>9}"
        print(f"| {label:<46} | {seconds:8.1f} | {total / mb / seconds:7.1f} | {added} |")
    print(
        f"\nspeed vs restic alone: {alone_seconds / first_seconds:.2f} at normal priority, "
        f"{alone_low_seconds / first_seconds:.2f} at the agent's priority (target >= 0.9)"
    )
