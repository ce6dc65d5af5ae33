"""Facts about the server, read from /proc and statvfs; nothing here changes anything."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPORTED_MOUNTS: Final = ("/", "/home", "/var")


@dataclass(frozen=True)
class Filesystem:
    path: str
    total_bytes: int
    available_bytes: int


@dataclass(frozen=True)
class Facts:
    hostname: str
    kernel: str
    uptime_seconds: int
    cpus: int
    load: tuple[float, float, float]
    memory_total_bytes: int
    memory_available_bytes: int
    filesystems: tuple[Filesystem, ...]


def read_facts(proc: Path = Path("/proc")) -> Facts:
    memory = _meminfo(proc / "meminfo")
    return Facts(
        hostname=socket.gethostname(),
        kernel=os.uname().release,
        uptime_seconds=int(float((proc / "uptime").read_text().split()[0])),
        cpus=os.cpu_count() or 1,
        load=os.getloadavg(),
        memory_total_bytes=memory.get("MemTotal", 0),
        memory_available_bytes=memory.get("MemAvailable", 0),
        filesystems=tuple(_filesystem(path) for path in REPORTED_MOUNTS),
    )


def _meminfo(path: Path) -> dict[str, int]:
    """/proc/meminfo in bytes ("MemTotal:  24576000 kB")."""
    found = {}
    for line in path.read_text().splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            found[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return found


def _filesystem(path: str) -> Filesystem:
    stats = os.statvfs(path)
    return Filesystem(path, stats.f_blocks * stats.f_frsize, stats.f_bavail * stats.f_frsize)
