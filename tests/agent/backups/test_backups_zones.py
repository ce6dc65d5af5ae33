"""DNS zones in backups, with the real agent, restic and named (sandbox only): a whole-account
restore in place serves the backup's records again, and never a zone whose name another
account holds now."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.dns.v1 import dns_pb2

from tests.agent.backups.backup_support import back_up, backup_account, backups, restore
from tests.agent.dns.dns_support import (
    a,
    create_zone,
    dig,
    dns,
    named,
    new_zone,
    txt,
    update_request,
)

if TYPE_CHECKING:
    import stack
    from jopanel.agent.accounts.v1 import accounts_pb2_grpc

    from tests.agent.backups.backup_support import Stub
    from tests.agent.dns.dns_support import Stub as DnsStub

__all__ = ["backup_account", "backups", "dns", "named", "new_zone"]  # fixtures, used by name


async def test_zone_answers_come_back_with_a_whole_account_restore(
    backups: Stub,
    dns: DnsStub,
    named: stack.Named,
    backup_account: str,
    new_zone: Callable[[], str],
) -> None:
    zone = new_zone()
    await create_zone(
        dns, zone, backup_account, a("aaaa1111", "www", "192.0.2.1"), txt("txt11111", "@", "hi")
    )
    _, backup = await back_up(backups, backup_account)
    assert list(backup.zones) == [zone]
    await dns.UpdateDnsRecord(update_request(zone, a("aaaa1111", "www", "192.0.2.99"), "data"))
    await dns.DeleteDnsRecord(dns_pb2.DeleteDnsRecordRequest(zone=zone, id="txt11111"))
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.99"]

    _, restored = await restore(backups, backup_account, backup.id, whole_account=True)

    assert list(restored.zones) == [zone]
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["192.0.2.1"]
    assert (await dig(named.dns_port, zone, "TXT")).answer == ['"hi"']


async def test_a_zone_another_account_holds_now_is_left_to_it(
    backups: Stub,
    dns: DnsStub,
    named: stack.Named,
    accounts: accounts_pb2_grpc.AccountServiceAsyncStub,
    backup_account: str,
    new_zone: Callable[[], str],
    new_name: Callable[[], str],
) -> None:
    zone = new_zone()
    await create_zone(dns, zone, backup_account, a("aaaa1111", "www", "192.0.2.1"))
    _, backup = await back_up(backups, backup_account)
    await dns.DeleteDnsZone(dns_pb2.DeleteDnsZoneRequest(name=zone))
    other = new_name()
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    )
    await create_zone(dns, zone, other, a("aaaa2222", "www", "198.51.100.7"))

    _, restored = await restore(backups, backup_account, backup.id, whole_account=True)

    assert (list(restored.zones), restored.zones_skipped) == ([], 1)
    held = await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=zone))
    assert held.zone.account == other
    assert (await dig(named.dns_port, f"www.{zone}", "A")).answer == ["198.51.100.7"]
