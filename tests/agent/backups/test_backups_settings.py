"""GetBackupSettings with the real agent, restic and named (sandbox only): a backup's cron
jobs, zones and sites as typed messages, for the account that made it only, and nothing of a
crafted settings document that names another tenant or does not validate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2
from jopanel.agent.cron.v1 import cron_pb2, cron_pb2_grpc
from jopanel.agent.dns.v1 import dns_pb2

from tests.agent.backups.backup_support import (
    back_up,
    backup_account,
    backups,
    hostile_backup,
    hostile_tree,
)
from tests.agent.dns.dns_support import a, create_zone, dns, named, new_zone, txt
from tests.agent.support import rpc_error

if TYPE_CHECKING:
    import grpc.aio
    import stack

    from tests.agent.backups.backup_support import AccountStub, Stub
    from tests.agent.dns.dns_support import Stub as DnsStub

__all__ = ["backup_account", "backups", "dns", "named", "new_zone"]  # fixtures, used by name


async def settings_of(
    stub: Stub, account: str, backup_id: str
) -> backups_pb2.GetBackupSettingsResponse:
    request = backups_pb2.GetBackupSettingsRequest(account=account, backup_id=backup_id)
    return await stub.GetBackupSettings(request)


def zone_json(name: str, account: str, address: str = "192.0.2.1") -> dict[str, object]:
    """A zone as the agent writes it into settings.json (zonefile.to_json)."""
    record = {"id": "aaaa1111", "name": "www", "ttl": 0, "type": "A", "address": address}
    return {"version": 1, "name": name, "account": account, "serial": 1, "records": [record]}


def site_json(name: str, account: str) -> dict[str, object]:
    """A site as the agent writes it into settings.json (records.to_json)."""
    return {
        "name": name,
        "account": account,
        "aliases": [f"www.{name}"],
        "backend": {"kind": "static"},
        "suspended": False,
        "account_suspended": False,
    }


async def test_the_settings_come_back_typed_as_they_were_backed_up(
    backups: Stub,
    dns: DnsStub,
    named: stack.Named,
    channel: grpc.aio.Channel,
    backup_account: str,
    new_zone: Callable[[], str],
) -> None:
    zone = new_zone()
    await create_zone(
        dns, zone, backup_account, a("aaaa1111", "www", "192.0.2.1"), txt("txt11111", "@", "hi")
    )
    job = cron_pb2.CronJob(id="settings1", schedule="5 4 * * *", command="echo hi", enabled=True)
    cron = cron_pb2_grpc.CronJobServiceStub(channel)
    await cron.CreateCronJob(cron_pb2.CreateCronJobRequest(account=backup_account, job=job))
    _, backup = await back_up(backups, backup_account)
    await cron.DeleteCronJob(cron_pb2.DeleteCronJobRequest(account=backup_account, id=job.id))

    found = await settings_of(backups, backup_account, backup.id)

    assert found.backup == backup
    assert list(found.cron_jobs) == [job]
    assert [(z.name, z.account) for z in found.zones] == [(zone, backup_account)]
    records = {r.id: r for r in found.zones[0].records}
    assert records["aaaa1111"].a.address == "192.0.2.1"
    assert records["txt11111"].txt.text == "hi"
    assert found.skipped == 0


async def test_another_accounts_backup_is_not_found(
    backups: Stub, accounts: AccountStub, backup_account: str, new_name: Callable[[], str]
) -> None:
    _, backup = await back_up(backups, backup_account)
    other = new_name()
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    )

    code, _ = await rpc_error(settings_of(backups, other, backup.id))

    assert code == grpc.StatusCode.NOT_FOUND


async def test_a_deleted_accounts_backup_is_not_found_for_a_new_account_of_its_name(
    backups: Stub, accounts: AccountStub, new_name: Callable[[], str]
) -> None:
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    _, backup = await back_up(backups, name)
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))
    await accounts.CreateAccount(request)  # a new tenant, a new uid, the same name

    code, _ = await rpc_error(settings_of(backups, name, backup.id))

    assert code == grpc.StatusCode.NOT_FOUND


async def test_bad_ids_and_accounts_are_refused(backups: Stub, backup_account: str) -> None:
    for account, backup_id in (
        (backup_account, "../" + "a" * 29),
        (backup_account, "A" * 32),
        (backup_account, "a" * 33),
        ("../etc", "a" * 32),
        ("x" * 10_000, "a" * 32),
    ):
        code, _ = await rpc_error(settings_of(backups, account, backup_id))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, (account, backup_id)


async def test_a_crafted_document_gives_nothing_of_another_tenant(
    backups: Stub,
    dns: DnsStub,
    named: stack.Named,
    accounts: AccountStub,
    backup_account: str,
    new_zone: Callable[[], str],
    new_name: Callable[[], str],
) -> None:
    """A settings snapshot made with restic directly (a compromised repository): entries
    naming another account, a zone another account holds now (and names just above and below
    it), a site whose alias another holds, values that do not validate, and too many entries
    are left out and counted; the account's own entries come back."""
    other = new_name()
    await accounts.CreateAccount(
        accounts_pb2.CreateAccountRequest(name=other, shell=accounts_pb2.SHELL_NOLOGIN)
    )
    theirs = new_zone()
    await create_zone(dns, theirs, other, a("aaaa2222", "www", "198.51.100.7"))
    above = new_zone()
    await create_zone(dns, f"deep.{above}", other, a("aaaa3333", "www", "198.51.100.8"))
    mine = new_zone()
    crafted = {
        "crontab": [
            {"id": "good0001", "schedule": "1 2 * * *", "command": "true", "enabled": True},
            {"id": "bad/../1", "schedule": "1 2 * * *", "command": "true", "enabled": True},
            {"id": "bad00002", "schedule": "@reboot\nroot", "command": "x", "enabled": True},
            "not a job",
        ]
        + [
            {"id": f"many{i:04d}", "schedule": "* * * * *", "command": "true", "enabled": False}
            for i in range(1100)
        ],
        "zones": [
            zone_json(mine, backup_account),
            zone_json(theirs, backup_account),  # held by the other account now
            zone_json(f"below.{theirs}", backup_account),  # a name below it
            zone_json(above, backup_account),  # a name above one the other account holds
            zone_json(new_zone(), other),  # names another account
            {"version": 1, "name": "../../etc", "account": backup_account, "records": []},
        ],
        "sites": [
            site_json(f"site.{mine}", backup_account),
            site_json(f"site.{mine}", other),
            {**site_json(f"web.{mine}", backup_account), "aliases": [f"www.{theirs}"]},
            {
                **site_json(f"php.{mine}", backup_account),
                "backend": {"kind": "socket", "path": "/etc/shadow"},
            },
        ],
    }
    with hostile_tree(backup_account) as view:
        (view / "file").write_bytes(b"x")
        backup = hostile_backup(backup_account, Path(view), settings=crafted)

    found = await settings_of(backups, backup_account, backup)

    # The first 1000 entries are read (one good, three bad, 996 good); the rest are counted.
    assert [job.id for job in found.cron_jobs][:2] == ["good0001", "many0000"]
    assert len(found.cron_jobs) == 997
    assert [zone.name for zone in found.zones] == [mine]
    assert [(site.name, site.account) for site in found.sites] == [(f"site.{mine}", backup_account)]
    assert found.skipped == (3 + 104) + 5 + 3
    held = await dns.GetDnsZone(dns_pb2.GetDnsZoneRequest(name=theirs))
    assert held.zone.account == other


async def test_crafted_records_of_the_panel_come_back_only_as_they_validate(
    backups: Stub, backup_account: str
) -> None:
    """The panel's records in a crafted settings document: a certificate marked uploaded comes
    back so; one whose mark is not a boolean leaves the records out whole (and is counted)."""
    site = backup_account.replace("_", "-") + ".test"

    def records(uploaded: object) -> dict[str, object]:
        certificate = {
            "names": [site],
            "issuer": "Bought CA",
            "not_after": "2030-01-01T00:00:00+00:00",
            "uploaded": uploaded,
        }
        return {"plan": "gold", "certificates": [certificate]}

    found = []
    for uploaded in (True, "yes", 1):
        with hostile_tree(backup_account) as view:
            (view / "file").write_bytes(b"x")
            backup = hostile_backup(
                backup_account, Path(view), settings={"records": records(uploaded)}
            )
        found.append(await settings_of(backups, backup_account, backup))

    assert [c.uploaded for c in found[0].records.certificates] == [True]
    assert found[0].skipped == 0
    for refused in found[1:]:
        assert not refused.HasField("records")
        assert refused.skipped == 1
