"""`make bench`, files: a 1 GB file uploaded and downloaded through the REST API (gateway ->
agent -> the helper as the account), against `cp` of the same file on the same disk in the
same run, and the gateway's and the agent's resident memory while the bytes pass (it must not
grow with the file: both stream a chunk at a time).

JOPANEL_BENCH_FILES_MB (default 1024) sets the file's size, for a quick look.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import stack
from bench_web import login, post_all

ACCOUNT = "bench_files"
PASSWORD = "bench-pass-1"  # noqa: S105 (the benchmark's own throwaway account)
SIZE = int(os.environ.get("JOPANEL_BENCH_FILES_MB", "1024")) * (1 << 20)
CHUNK = 1 << 20
SOURCE = Path("/home/bench-files-source.bin")  # the same disk as the home
DOWNLOADED = Path("/home/bench-files-downloaded.bin")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Peaks:
    """The highest resident memory of each process while a block runs (sampled every 50 ms)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak = {name: rss_mb(pid) for name, pid in pids.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(work: Callable[[], object]) -> float:
    start = time.monotonic()
    work()
    return time.monotonic() - start


def make_source() -> None:
    with SOURCE.open("wb") as file:
        for _ in range(SIZE // CHUNK):
            file.write(os.urandom(CHUNK))
        file.write(os.urandom(SIZE % CHUNK))


async def chunks() -> AsyncIterator[bytes]:
    with SOURCE.open("rb") as file:  # noqa: ASYNC230 (the client's own reads, from the cache)
        while chunk := file.read(CHUNK):
            yield chunk


async def upload(base: str, token: str) -> float:
    params = {"account": ACCOUNT, "path": "uploaded.bin", "size": str(SIZE)}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}
    start = time.monotonic()
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session,
        session.put(f"{base}/files/content", params=params, data=chunks(), headers=headers) as r,
    ):
        body = await r.json()
        assert r.status == 200 and body["complete"], body  # noqa: PT018
    return time.monotonic() - start


async def download(base: str, token: str) -> float:
    params = {"account": ACCOUNT, "path": "uploaded.bin"}
    headers = {"Authorization": f"Bearer {token}"}
    start = time.monotonic()
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session,
        session.get(f"{base}/files/content", params=params, headers=headers) as response,
    ):
        assert response.status == 200
        with DOWNLOADED.open("wb") as file:  # noqa: ASYNC230 (the client's own writes)
            async for chunk in response.content.iter_chunked(CHUNK):
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
    return time.monotonic() - start


def cp(target: Path, sync: bool) -> float:
    target.unlink(missing_ok=True)
    argv = ["cp", str(SOURCE), str(target)]
    return timed(
        lambda: (
            subprocess.run(argv, check=True),
            sync and subprocess.run(["sync", str(target)], check=True),
        )
    )


async def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    base = f"{live.url}/api/v1"
    token = await login(base, *admin)
    await post_all(base, token, [("/accounts", {"name": ACCOUNT, "password": PASSWORD})], 1)
    make_source()
    pids = {p.name: p.pid for p in live.processes if p.name in ("gateway", "agent")}
    idle = {name: rss_mb(pid) for name, pid in pids.items()}
    home = Path("/home") / ACCOUNT
    # Each run starts with nothing left to write back from the one before it.
    os.sync()
    cp_seconds = cp(home / "cp.bin", sync=False)
    os.sync()
    cp_sync_seconds = cp(home / "cp.bin", sync=True)
    os.sync()
    with Peaks(pids) as during_upload:
        upload_seconds = await upload(base, token)
    os.sync()
    with Peaks(pids) as during_download:
        download_seconds = await download(base, token)
    assert os.stat(DOWNLOADED).st_size == SIZE
    mb = SIZE / (1 << 20)
    print(
        f"\nJoPanel bench, files: a {mb:.0f} MB file of random bytes through the REST API and "
        f"`cp` on the same disk, {os.cpu_count()} cores, all rows in this run\n"
    )
    print(f"| {'run':<44} | {'seconds':>8} | {'MB/s':>7} | {'vs cp':>6} |")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 9}|{'-' * 8}|")
    rows = [
        ("cp", cp_seconds),
        ("cp, then sync of the copy", cp_sync_seconds),
        ("upload: PUT /files/content (fsync, rename)", upload_seconds),
        ("download: GET /files/content (client fsyncs)", download_seconds),
    ]
    for label, seconds in rows:
        print(
            f"| {label:<44} | {seconds:8.2f} | {mb / seconds:7.1f} | {cp_seconds / seconds:6.2f} |"
        )
    print(
        f"\n| {'process':<8} | {'idle MB':>8} | {'upload peak MB':>15} | {'download peak MB':>17} |"
    )
    print(f"|{'-' * 10}|{'-' * 10}|{'-' * 17}|{'-' * 19}|")
    for name in sorted(pids):
        print(
            f"| {name:<8} | {idle[name]:8.1f} | {during_upload.peak[name]:15.1f} | "
            f"{during_download.peak[name]:17.1f} |"
        )
    for path in (SOURCE, DOWNLOADED, home / "cp.bin", home / "uploaded.bin"):
        path.unlink(missing_ok=True)
    await asyncio.sleep(0)
