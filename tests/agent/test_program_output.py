"""Output a tenant can make a program write reaches the client bounded (sandbox only).

A zone of many records named-checkzone refuses makes the checker write a line per record: the
RPC's message is at most 1,000 characters of it (after its prefix), marked where it was cut,
and nothing is served. The bound on what the agent reads from any program is shown in
tests/agent/test_process.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc
import pytest
import stack

from tests.agent.dns.dns_support import (
    create_zone,
    dig,
    dns,
    dns_account,
    named,
    new_zone,
    record,
    zone_files,
)
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub

__all__ = ["dns", "dns_account", "named", "new_zone"]  # fixtures, used by name

pytestmark = pytest.mark.usefixtures("named")

REFUSED_RECORDS = 500  # each alone is valid; named-checkzone refuses a wildcard NS owner


async def test_a_zone_check_that_says_a_lot_is_cut_with_a_mark(
    dns: Stub, dns_account: str, new_zone: Callable[[], str], named: stack.Named
) -> None:
    zone = new_zone()
    records = [
        record(f"badns{number:04d}", f"*.host{number}", ns={"nameserver": "ns1.example.net"})
        for number in range(REFUSED_RECORDS)
    ]
    code, message = await rpc_error(create_zone(dns, zone, dns_account, *records))

    assert code == grpc.StatusCode.FAILED_PRECONDITION
    prefix = f"named-checkzone refused zone {zone}: "
    assert message.startswith(f"{prefix}record badns0000: *.host0.{zone}: invalid NS owner")
    detail = message.removeprefix(prefix)
    assert len(detail) <= 1000
    assert detail.endswith(" more characters cut]")
    cut = int(detail.rpartition(" [... ")[2].split()[0])
    assert cut > 10 * 1000  # hundreds of lines stayed out of the message
    assert (await dig(named.dns_port, zone, "SOA")).status == "REFUSED"
    files = zone_files(zone)
    assert (files["zone file"], files["record"]) == (None, None)
