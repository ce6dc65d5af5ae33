"""The suite's sandbox has a network namespace of its own (scripts/sandbox.sh with
JOPANEL_SANDBOX_NETWORK=own, which scripts/test.sh sets).

The two halves run side by side. A link, address or route one of them makes (the VPN tests' tun
devices and veth pairs) must not reach the other: Chromium, in the browser test, aborts what it
is loading with ERR_NETWORK_CHANGED whenever an address in its namespace changes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def _ip(*args: str) -> list[dict[str, Any]]:
    done = subprocess.run(["ip", "-j", *args], capture_output=True, text=True, check=True)
    shown: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return shown


def test_the_sandbox_sees_none_of_the_host_s_network(sandbox: Path) -> None:
    # The host reaches out by a default route over a link of its own; the sandbox has neither.
    assert _ip("-4", "route", "show", "default") == []
    assert _ip("-6", "route", "show", "default") == []
    addresses = {
        entry["local"]
        for link in _ip("address", "show")
        for entry in link.get("addr_info", [])
        if link["ifname"] == "lo"
    }
    assert {"127.0.0.1"} <= addresses
    loopback = _ip("link", "show", "lo")[0]
    assert "UP" in loopback["flags"]
    # /sys, mounted outside, still lists the host's links; none of them is here.
    host_links = {link.name for link in Path("/sys/class/net").iterdir()} - {"lo"}
    assert host_links.isdisjoint(link["ifname"] for link in _ip("link", "show"))
