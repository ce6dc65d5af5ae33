"""ServerService: the facts the dashboard shows, read from the real system."""

from __future__ import annotations

import os
from pathlib import Path

import grpc.aio
from jopanel.agent.server.v1 import server_pb2, server_pb2_grpc

from agent.system.server.facts import _meminfo, read_facts


async def test_status_reports_the_real_server(channel: grpc.aio.Channel) -> None:
    stub = server_pb2_grpc.ServerServiceStub(channel)
    status = (await stub.GetServerStatus(server_pb2.GetServerStatusRequest())).status
    assert status.hostname == os.uname().nodename
    assert status.cpus == os.cpu_count()
    assert 0 < status.memory_available_bytes <= status.memory_total_bytes
    assert status.uptime_seconds > 0
    assert [f.path for f in status.filesystems] == ["/", "/home", "/var"]
    root = os.statvfs("/")
    assert status.filesystems[0].total_bytes == root.f_blocks * root.f_frsize
    assert status.disk_quotas_enforced == home_has_user_quotas()


def home_has_user_quotas() -> bool:
    """Read apart from the agent's quotactl: /home is mounted with usrquota (the sandbox does so
    where the kernel can; scripts/test-vm.sh runs this under a kernel that can)."""
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        homes = [line.split() for line in mounts if line.split()[1] == "/home"]
    return bool(homes) and "usrquota" in homes[-1][3].split(",")


def test_meminfo_is_read_in_bytes(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       2048 kB\nMemAvailable:   1024 kB\nHugePages_Total: 0\n")
    assert _meminfo(meminfo) == {"MemTotal": 2097152, "MemAvailable": 1048576, "HugePages_Total": 0}


def test_facts_need_no_privilege() -> None:
    facts = read_facts()
    assert facts.memory_total_bytes > 0
    assert len(facts.load) == 3
