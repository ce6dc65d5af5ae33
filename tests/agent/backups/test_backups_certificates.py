"""The certificates part of a backup with the real agent, restic and nginx (sandbox only): each
site's key and chain are backed up by root from the agent's own files, installed again by a
whole-account restore in place through ImportCertificate's checks, and a crafted part gives
nothing to anyone else (docs/backups.md, "Certificates and keys")."""

from __future__ import annotations

import asyncio
import json
import pwd
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import pytest
from google.protobuf import field_mask_pb2
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.backups.v1 import backups_pb2
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc
from jopanel.agent.web.v1 import web_pb2

from agent.system.backups.repository import HOST
from agent.system.certificates import keys
from tests.agent.backups.backup_support import (
    back_up,
    backup_account,
    backups,
    hostile_backup,
    hostile_tree,
    restic,
    restore,
)
from tests.agent.certificates.certificates_support import tls_peer
from tests.agent.certificates.chains import DAY, NOW, Authority, pem
from tests.agent.dns.dns_support import new_zone
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, spec

if TYPE_CHECKING:
    import grpc.aio

    from tests.agent.backups.backup_support import AccountStub, Stub
    from tests.agent.web.web_support import Stub as WebStub

    CertStub: TypeAlias = certificates_pb2_grpc.CertificateServiceAsyncStub

__all__ = ["backup_account", "backups", "new_zone"]  # fixtures, used by name
pytestmark = pytest.mark.usefixtures("web_servers")

SSL = Path("/etc/jopanel/ssl")


def pair(root: Authority, names: list[str], **overrides: Any) -> tuple[str, str]:
    """A key and a chain for `names` (signed for another key when signed_key is given)."""
    key = keys.new_key("ecdsa-p256")
    leaf = root.leaf(overrides.pop("signed_key", key), names, **overrides)
    return key.decode(), pem(leaf, root.certificate)


async def import_pair(
    stub: CertStub, domain: str, account: str, key: str, chain: str
) -> certificates_pb2.Certificate:
    request = certificates_pb2.ImportCertificateRequest(
        domain=domain,
        account=account,
        key_pem=key,
        chain_pem=chain,
        settings=certificates_pb2.Certificate(redirect_http=True, hsts=True),
    )
    return (await stub.ImportCertificate(request)).certificate


async def served(stub: CertStub, domain: str) -> certificates_pb2.Certificate:
    request = certificates_pb2.GetCertificateRequest(domain=domain)
    return (await stub.GetCertificate(request)).certificate


def certificates_part(account: str, backup: str, raw: bytes) -> None:
    """A certificates part of the backup, written with restic directly (an attacker holding
    the repository): its document is `raw`."""
    uid = pwd.getpwnam(account).pw_uid
    tags = f"jopanel,account={account},uid={uid},backup={backup},part=certificates"
    restic("backup", "--host", HOST, "--tag", tags, "--stdin", "--stdin-filename",
           "certificates.json", stdin=raw)  # fmt: skip


def document(*entries: object) -> bytes:
    return json.dumps({"version": 1, "certificates": list(entries)}).encode()


async def test_a_certificate_is_backed_up_by_root_and_served_again_after_a_restore(
    backups: Stub,
    web: WebStub,
    channel: grpc.aio.Channel,
    backup_account: str,
    new_zone: Callable[[], str],
    web_tls_port: int,
) -> None:
    certificates = certificates_pb2_grpc.CertificateServiceStub(channel)
    domain = new_zone()
    await create(web, spec(domain, backup_account, aliases=(f"www.{domain}",)))
    root = Authority.root("Backed Up Root")
    key, chain = pair(root, [domain, f"www.{domain}"])
    imported = await import_pair(certificates, domain, backup_account, key, chain)
    _, backup = await back_up(backups, backup_account)
    assert list(backup.certificates) == [domain]
    settings = await backups.GetBackupSettings(
        backups_pb2.GetBackupSettingsRequest(account=backup_account, backup_id=backup.id)
    )
    assert "PRIVATE KEY" not in str(settings)  # no reply carries a key
    listed = await backups.ListBackups(backups_pb2.ListBackupsRequest(account=backup_account))
    assert "PRIVATE KEY" not in str(listed)
    assert [list(item.certificates) for item in listed.backups] == [[domain]]

    # The certificate is deleted (its files go), then the whole account restored in place.
    await certificates.DeleteCertificate(
        certificates_pb2.DeleteCertificateRequest(domain=domain, account=backup_account)
    )
    assert not (SSL / domain).exists()
    _, restored = await restore(backups, backup_account, backup.id, whole_account=True)

    assert (list(restored.certificates), list(restored.certificates_skipped)) == ([domain], [])
    again = await served(certificates, domain)
    assert again.fingerprint_sha256 == imported.fingerprint_sha256
    assert (again.redirect_http, again.hsts) == (True, True)
    stored = (SSL / domain / f"{imported.fingerprint_sha256}.key").stat()
    assert (stored.st_uid, stored.st_mode & 0o777) == (0, 0o600)
    for name in (domain, f"www.{domain}"):
        shown, answer = await asyncio.to_thread(tls_peer, web_tls_port, name, pem(root.certificate))
        assert shown == sorted([domain, f"www.{domain}"])
        assert answer.startswith("HTTP/1.1 200")

    # HSTS turned off since: a second restore finds the same certificate served and brings
    # back its settings only.
    update = certificates_pb2.UpdateCertificateRequest(
        account=backup_account, certificate=certificates_pb2.Certificate(domain=domain, hsts=False)
    )
    update.update_mask.paths.append("hsts")
    await certificates.UpdateCertificate(update)
    _, twice = await restore(backups, backup_account, backup.id, whole_account=True)
    assert (list(twice.certificates), list(twice.certificates_skipped)) == ([domain], [])
    again = await served(certificates, domain)
    assert (again.fingerprint_sha256, again.hsts) == (imported.fingerprint_sha256, True)


async def test_a_certificate_renewed_since_or_no_longer_covering_the_site_is_not_put_back(
    backups: Stub,
    web: WebStub,
    channel: grpc.aio.Channel,
    backup_account: str,
    new_zone: Callable[[], str],
) -> None:
    certificates = certificates_pb2_grpc.CertificateServiceStub(channel)
    renewed, grown = new_zone(), new_zone()
    await create(web, spec(renewed, backup_account))
    await create(web, spec(grown, backup_account))
    root = Authority.root()
    await import_pair(certificates, renewed, backup_account, *pair(root, [renewed]))
    await import_pair(certificates, grown, backup_account, *pair(root, [grown]))
    _, backup = await back_up(backups, backup_account)
    later = pair(root, [renewed], not_after=NOW + 200 * DAY)
    newer = await import_pair(certificates, renewed, backup_account, *later)
    # The site gained an alias its backed-up certificate does not cover.
    await web.UpdateWebDomain(
        web_pb2.UpdateWebDomainRequest(
            domain=spec(grown, backup_account, aliases=(f"www.{grown}",)),
            update_mask=field_mask_pb2.FieldMask(paths=["aliases"]),
        )
    )

    _, restored = await restore(backups, backup_account, backup.id, whole_account=True)

    assert list(restored.certificates) == []
    skipped = {item.split(" (")[0]: item for item in restored.certificates_skipped}
    assert skipped.keys() == {f"certificate of {grown}", f"certificate of {renewed}"}
    assert (
        f"{grown} (does not cover every name of the website" in skipped[f"certificate of {grown}"]
    )
    assert skipped[f"certificate of {renewed}"].endswith(
        "(the site serves one valid as long or longer)"
    )
    assert (await served(certificates, renewed)).fingerprint_sha256 == newer.fingerprint_sha256


async def test_a_crafted_certificates_part_installs_nothing_for_anyone_else(
    backups: Stub,
    web: WebStub,
    accounts: AccountStub,
    channel: grpc.aio.Channel,
    backup_account: str,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
) -> None:
    """Another tenant's domain, a chain naming another tenant's name (a wildcard reaching its
    alias), `..` in the name, a key not matching its chain, an expired chain, entries that are
    not objects: each is named as skipped, and only the account's own good one is installed."""
    certificates = certificates_pb2_grpc.CertificateServiceStub(channel)
    victim = (
        await accounts.CreateAccount(
            accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_NOLOGIN)
        )
    ).account.name
    mine, theirs = new_zone(), new_zone()
    await create(web, spec(mine, backup_account))
    await create(web, spec(theirs, victim, aliases=(f"www.{theirs}",)))
    root = Authority.root("Crafted Root")
    key, chain = pair(root, [theirs, f"www.{theirs}"])
    wide_key, wide_chain = pair(root, [mine, f"*.{theirs}"])  # reaches their alias
    past = {"not_after": NOW - DAY, "not_before": NOW - 90 * DAY}
    old_key, old_chain = pair(root, [mine], **past)
    good_key, good_chain = pair(root, [mine])
    crafted: list[object] = [
        {"domain": theirs, "key_pem": key, "chain_pem": chain},  # the victim's site
        {"domain": mine, "key_pem": wide_key, "chain_pem": wide_chain},
        {"domain": f"../../{mine}", "key_pem": key, "chain_pem": chain},
        {"domain": f"{mine}/../{theirs}", "key_pem": key, "chain_pem": chain},
        {"domain": mine, "key_pem": key, "chain_pem": good_chain},  # another key
        {"domain": mine, "key_pem": old_key, "chain_pem": old_chain},
        "not an object",
        {"domain": mine, "key_pem": 7, "chain_pem": chain},
        {"domain": mine, "key_pem": good_key, "chain_pem": good_chain, "hsts": True},
    ]
    with hostile_tree(backup_account) as view:
        backup = hostile_backup(backup_account, view)
    certificates_part(backup_account, backup, document(*crafted))

    _, restored = await restore(backups, backup_account, backup, whole_account=True)

    assert list(restored.certificates) == [mine]
    skipped = list(restored.certificates_skipped)
    assert len(skipped) == 8
    assert skipped[0] == f"certificate of {theirs} (no site of the account has that name now)"
    assert (
        skipped[1] == f"certificate of {mine} (names a name another account holds on this server)"
    )
    assert skipped[2].startswith("certificate 3 (")
    assert skipped[3].startswith("certificate 4 (")
    assert (
        skipped[4] == f"certificate of {mine} (the first certificate is not for this domain's key)"
    )
    assert (
        skipped[5]
        == f"certificate of {mine} (holds a certificate that is expired or not yet valid)"
    )
    assert skipped[6] == "certificate 7 (not an object)"
    assert skipped[7] == f"certificate of {mine} (key_pem is not text)"
    assert not (SSL / theirs).exists()
    code, _ = await rpc_error(
        certificates.GetCertificate(certificates_pb2.GetCertificateRequest(domain=theirs))
    )
    assert code == grpc.StatusCode.NOT_FOUND
    ours = await served(certificates, mine)
    assert ours.hsts
    assert list(ours.names) == [mine]


async def test_a_link_a_huge_document_or_an_unreadable_part_installs_nothing(
    backups: Stub,
    web: WebStub,
    channel: grpc.aio.Channel,
    backup_account: str,
    new_zone: Callable[[], str],
) -> None:
    certificates = certificates_pb2_grpc.CertificateServiceStub(channel)
    mine = new_zone()
    await create(web, spec(mine, backup_account))
    key, chain = pair(Authority.root(), [mine])
    good = {"domain": mine, "key_pem": key, "chain_pem": chain}
    padding = "x" * (17 * 1024 * 1024)
    documents = {
        "huge": document(good, {"domain": mine, "padding": padding}),
        "not json": b"\x00\xff" + document(good),
        "no list": json.dumps({"certificates": good}).encode(),
    }
    for what, raw in documents.items():
        with hostile_tree(backup_account) as view:
            backup = hostile_backup(backup_account, view)
        certificates_part(backup_account, backup, raw)
        _, restored = await restore(backups, backup_account, backup, whole_account=True)
        assert list(restored.certificates) == [], what
        assert [item.split(" (")[0] for item in restored.certificates_skipped] == [
            "the certificates part"
        ], what

    # A part that is a folder holding a link named certificates.json: restic dump reads the
    # repository, never the link's target; the part does not read and nothing is installed.
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "certificates.json").symlink_to("/etc/shadow")
        with hostile_tree(backup_account) as view:
            backup = hostile_backup(backup_account, view)
        uid = pwd.getpwnam(backup_account).pw_uid
        tags = f"jopanel,account={backup_account},uid={uid},backup={backup},part=certificates"
        restic("backup", "--host", HOST, "--tag", tags, folder)
    _, restored = await restore(backups, backup_account, backup, whole_account=True)
    assert list(restored.certificates) == []
    assert [item.split(" (")[0] for item in restored.certificates_skipped] == [
        "the certificates part"
    ]
    assert not (SSL / mine).exists()
    code, _ = await rpc_error(served(certificates, mine))
    assert code == grpc.StatusCode.NOT_FOUND  # "has no certificate"


async def test_a_certificate_comes_back_onto_a_server_that_no_longer_knows_the_account(
    backups: Stub,
    web: WebStub,
    accounts: AccountStub,
    channel: grpc.aio.Channel,
    new_name: Callable[[], str],
    new_zone: Callable[[], str],
    web_tls_port: int,
) -> None:
    """The fresh-server flow (docs/backups.md): the account is deleted (its sites and their
    certificate files go), made again under a new uid with its site, and the whole account
    restored from the old uid's backup: the site serves its certificate at once."""
    certificates = certificates_pb2_grpc.CertificateServiceStub(channel)
    name = new_name()
    request = accounts_pb2.CreateAccountRequest(name=name, shell=accounts_pb2.SHELL_NOLOGIN)
    await accounts.CreateAccount(request)
    domain = new_zone()
    await create(web, spec(domain, name))
    root = Authority.root("Fresh Root")
    imported = await import_pair(certificates, domain, name, *pair(root, [domain]))
    old_uid = pwd.getpwnam(name).pw_uid
    _, backup = await back_up(backups, name)
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=name))
    assert not (SSL / domain).exists()
    await accounts.CreateAccount(request)
    await create(web, spec(domain, name))

    restore_request = backups_pb2.RestoreBackupRequest(
        account=name,
        backup_id=backup.id,
        whole_account=True,
        placement=backups_pb2.PLACEMENT_IN_PLACE,
        source_uid=old_uid,
    )
    responses = [response async for response in backups.RestoreBackup(restore_request)]

    assert list(responses[-1].restored.certificates) == [domain]
    assert (await served(certificates, domain)).fingerprint_sha256 == imported.fingerprint_sha256
    shown, answer = await asyncio.to_thread(tls_peer, web_tls_port, domain, pem(root.certificate))
    assert shown == [domain]
    assert answer.startswith("HTTP/1.1 200")
