"""VpnService with the real OpenVPN and easy-rsa (sandbox only): a client in a network
namespace of its own connects with its profile and reaches the server's tunnel address; a
revoked client is dropped at once and cannot connect again; owners see and revoke only their
own clients; the CA key and clients' keys stay where they must."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.vpn.v1 import vpn_pb2

from agent.config import AgentConfig
from agent.services import vpn as vpn_service
from tests.agent.support import rpc_error, until
from tests.agent.vpn.vpn_support import Client, Lan, clients, lan, new_owner, vpn, vpn_server

if TYPE_CHECKING:
    from tests.agent.vpn.vpn_support import Stub

    AccountStub = accounts_pb2_grpc.AccountServiceAsyncStub

__all__ = ["clients", "lan", "vpn", "vpn_server"]  # fixtures, used by name

VPN_DIR = Path("/var/lib/jopanel/vpn")


async def create(vpn: Stub, owner: str, name: str) -> vpn_pb2.CreateVpnClientResponse:
    return await vpn.CreateVpnClient(vpn_pb2.CreateVpnClientRequest(owner=owner, name=name))


async def listed(vpn: Stub, owner: str) -> dict[str, vpn_pb2.VpnClient]:
    answer = await vpn.ListVpnClients(vpn_pb2.ListVpnClientsRequest(owner=owner))
    return {client.name: client for client in answer.clients}


async def revoke(vpn: Stub, owner: str, name: str) -> vpn_pb2.RevokeVpnClientResponse:
    return await vpn.RevokeVpnClient(vpn_pb2.RevokeVpnClientRequest(owner=owner, name=name))


async def until_state(
    vpn: Stub, owner: str, name: str, state: vpn_pb2.ClientState.ValueType
) -> None:
    shown: dict[str, vpn_pb2.VpnClient] = {}

    async def reached() -> bool:
        shown.update(await listed(vpn, owner))
        return shown[name].state == state

    deadline = asyncio.get_running_loop().time() + 15
    while not await reached():
        assert asyncio.get_running_loop().time() < deadline, shown[name]
        await asyncio.sleep(0.1)


async def test_a_client_connects_and_reaches_the_servers_tunnel_address(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer, lan: Lan, clients: list[Client], tmp_path: Path
) -> None:
    owner = new_owner()
    created = await create(vpn, owner, "laptop")
    assert created.client.state == vpn_pb2.CLIENT_STATE_DISCONNECTED
    client = Client(lan, created.profile, tmp_path)
    clients.append(client)
    client.start()
    await client.until_connected()
    await client.reach(lan.server_tunnel_address)
    shown = (await listed(vpn, owner))["laptop"]
    assert shown.state == vpn_pb2.CLIENT_STATE_CONNECTED
    assert shown.tunnel_address.startswith(lan.tunnel_network.rsplit(".", 1)[0] + ".")
    assert shown.real_address.startswith(lan.client_address + ":")
    assert shown.bytes_received > 0
    assert shown.bytes_sent > 0
    # The pushed route and DNS server reached the client.
    assert "route 192.168.77.0 255.255.255.0" in client.log_text()
    assert "dhcp-option DNS 10.0.0.53" in client.log_text()


async def test_revoking_drops_the_connected_client_at_once_and_it_cannot_come_back(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer, lan: Lan, clients: list[Client], tmp_path: Path
) -> None:
    owner = new_owner()
    profile = (await create(vpn, owner, "phone")).profile
    client = Client(lan, profile, tmp_path)
    clients.append(client)
    client.start()
    await client.until_connected()
    revoked = await revoke(vpn, owner, "phone")
    assert revoked.client.state == vpn_pb2.CLIENT_STATE_REVOKED
    # client-kill ... HALT: the client is told to stop, and does, without waiting for a timeout.
    await until(client.ended, "the revoked client to be dropped", seconds=15)
    assert (await listed(vpn, owner))["phone"].state == vpn_pb2.CLIENT_STATE_REVOKED

    again = Client(lan, profile, tmp_path)
    clients.append(again)
    again.start("--tls-exit", "--connect-retry-max", "1", "--hand-window", "10")
    await until(again.ended, "the revoked client to give up", seconds=60)
    assert not again.connected()


async def test_another_owners_client_is_neither_listed_nor_revocable(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer
) -> None:
    alice, mallory = new_owner(), new_owner()
    await create(vpn, alice, "laptop")
    assert await listed(vpn, mallory) == {}
    code, _ = await rpc_error(revoke(vpn, mallory, "laptop"))
    assert code == grpc.StatusCode.NOT_FOUND
    # Names next to alice's, above and below it, name nothing of hers either.
    for near in (alice[:-1], alice + "x"):
        assert await listed(vpn, near) == {}
        code, _ = await rpc_error(revoke(vpn, near, "laptop"))
        assert code == grpc.StatusCode.NOT_FOUND
    assert (await listed(vpn, alice))["laptop"].state == vpn_pb2.CLIENT_STATE_DISCONNECTED


async def test_a_profile_is_shown_once_and_a_name_is_taken_until_revoked(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer
) -> None:
    owner = new_owner()
    first = await create(vpn, owner, "desk")
    assert "<key>\n-----BEGIN PRIVATE KEY-----" in first.profile
    assert not (VPN_DIR / "pki" / "private" / f"{owner}.desk.key").exists()
    code, _ = await rpc_error(create(vpn, owner, "desk"))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    await revoke(vpn, owner, "desk")
    await revoke(vpn, owner, "desk")  # idempotent
    second = await create(vpn, owner, "desk")
    assert second.profile != first.profile
    assert (await listed(vpn, owner))["desk"].state == vpn_pb2.CLIENT_STATE_DISCONNECTED


async def test_the_ca_key_stays_roots(vpn: Stub, vpn_server: vpn_pb2.VpnServer) -> None:
    for path, mode in ((VPN_DIR, 0o700), (VPN_DIR / "pki" / "private" / "ca.key", 0o600)):
        info = os.lstat(path)
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, mode)
    config = Path("/etc/openvpn/server/jopanel.conf")
    assert stat.S_IMODE(os.lstat(config).st_mode) == 0o600
    assert "ca.key" not in config.read_text()
    answer = await vpn.GetVpnServer(vpn_pb2.GetVpnServerRequest())
    assert answer.configured
    assert answer.running
    assert answer.server == vpn_server


async def test_hostile_settings_change_nothing(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer, lan: Lan
) -> None:
    config = Path("/etc/openvpn/server/jopanel.conf")
    before = config.read_bytes()
    hostile: list[dict[str, str | int]] = [
        {"public_address": f"{lan.host_address}\nscript-security 2"},
        {"public_address": "host 1194\nup /bin/sh"},
        {"network": "10.9.0.0/24 push"},
        {"network": "10.9.0.1/24"},
        {"network": "8.8.8.0/24"},
        {"network": "10.0.0.0/8"},
        {"port": 0},
        {"port": 70000},
        {"protocol": vpn_pb2.PROTOCOL_UNSPECIFIED},
    ]
    for change in hostile:
        settings = vpn_pb2.VpnServer()
        settings.CopyFrom(vpn_server)
        for name, value in change.items():
            setattr(settings, name, value)
        code, _ = await rpc_error(
            vpn.ConfigureVpnServer(vpn_pb2.ConfigureVpnServerRequest(server=settings))
        )
        assert code == grpc.StatusCode.INVALID_ARGUMENT, change
    routes = vpn_pb2.VpnServer()
    routes.CopyFrom(vpn_server)
    routes.routes.append('10.1.0.0/16"\npush "route 0.0.0.0')
    code, _ = await rpc_error(
        vpn.ConfigureVpnServer(vpn_pb2.ConfigureVpnServerRequest(server=routes))
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert config.read_bytes() == before


async def test_hostile_client_names_are_refused(vpn: Stub, vpn_server: vpn_pb2.VpnServer) -> None:
    owner = new_owner()
    for name in ("", "a.b", "../ca", "A", "-x", "x" * 32, "a\nb", "ca key"):
        code, _ = await rpc_error(create(vpn, owner, name))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, name
    for bad_owner in ("", "a.b", "../pki", "x" * 33, "Admin", "a\nb"):
        code, _ = await rpc_error(create(vpn, bad_owner, "laptop"))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, bad_owner
    assert await listed(vpn, owner) == {}


async def test_deleting_an_account_revokes_its_clients(
    vpn: Stub,
    vpn_server: vpn_pb2.VpnServer,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    lan: Lan,
    clients: list[Client],
    tmp_path: Path,
) -> None:
    profile = (await create(vpn, account.name, "laptop")).profile
    client = Client(lan, profile, tmp_path)
    clients.append(client)
    client.start()
    await client.until_connected()
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))
    await until(client.ended, "the deleted account's client to be dropped", seconds=15)
    assert (await listed(vpn, account.name))["laptop"].state == vpn_pb2.CLIENT_STATE_REVOKED


async def test_a_port_in_use_is_a_failed_precondition(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 - as another program would
        settings = vpn_pb2.VpnServer()
        settings.CopyFrom(vpn_server)
        settings.port = taken.getsockname()[1]
        code, message = await rpc_error(
            vpn.ConfigureVpnServer(vpn_pb2.ConfigureVpnServerRequest(server=settings))
        )
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert "in use" in message
    # Setting it back brings the server back.
    answer = await vpn.ConfigureVpnServer(vpn_pb2.ConfigureVpnServerRequest(server=vpn_server))
    assert answer.running


@pytest.mark.usefixtures("web_servers")  # suspension takes its sites offline too
async def test_suspending_an_account_drops_and_refuses_its_clients_until_unsuspended(
    vpn: Stub,
    vpn_server: vpn_pb2.VpnServer,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    lan: Lan,
    clients: list[Client],
    tmp_path: Path,
) -> None:
    profile = (await create(vpn, account.name, "laptop")).profile
    neighbour = new_owner()
    neighbours = (await create(vpn, neighbour, "laptop")).profile
    client = Client(lan, profile, tmp_path)
    clients.append(client)
    client.start()
    await client.until_connected()

    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=account.name))
    await until(client.ended, "the suspended account's client to be dropped", seconds=15)
    # Its certificate stays valid (the suspension is lifted without a new profile); the server
    # lets the dropped connection go a moment after the client stops.
    await until_state(vpn, account.name, "laptop", vpn_pb2.CLIENT_STATE_DISCONNECTED)
    refused = Client(lan, profile, tmp_path)
    clients.append(refused)
    refused.start("--connect-retry-max", "1", "--hand-window", "10")
    await until(refused.ended, "the suspended account's client to be refused", seconds=60)
    assert not refused.connected()
    assert "AUTH_FAILED" in refused.log_text()
    # A client made while suspended is refused too.
    made = (await create(vpn, account.name, "phone")).profile
    during = Client(lan, made, tmp_path)
    clients.append(during)
    during.start("--connect-retry-max", "1", "--hand-window", "10")
    await until(during.ended, "a client made while suspended to be refused", seconds=60)
    assert not during.connected()
    # Another owner's client is not touched by the suspension.
    other = Client(lan, neighbours, tmp_path)
    clients.append(other)
    other.start()
    await other.until_connected()

    await accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=account.name))
    for again_profile in (profile, made):
        again = Client(lan, again_profile, tmp_path)
        clients.append(again)
        again.start()
        await again.until_connected()
    assert not any(Path("/etc/openvpn/server/jopanel-clients").iterdir())


async def test_the_refused_clients_folder_is_not_for_tenants(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer
) -> None:
    folder = Path("/etc/openvpn/server/jopanel-clients")
    info = os.lstat(folder)
    assert stat.S_ISDIR(info.st_mode)
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o750)
    assert "client-config-dir" in Path("/etc/openvpn/server/jopanel.conf").read_text()


CONFIG = Path("/etc/openvpn/server/jopanel.conf")
PID_FILE = Path("/run/jopanel-vpn/openvpn.pid")


def older_configuration() -> str:
    """The configuration as an agent before client-config-dir wrote it; returns today's."""
    today = CONFIG.read_text()
    CONFIG.write_text("".join(line for line in today.splitlines(keepends=True)
                              if not line.startswith("client-config-dir")))  # fmt: skip
    return today


@pytest.mark.usefixtures("web_servers")  # suspension takes its sites offline too
async def test_a_suspension_restarts_no_ones_vpn_and_the_agents_start_updates_it(
    vpn: Stub,
    vpn_server: vpn_pb2.VpnServer,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    agent_config: AgentConfig,
) -> None:
    today = older_configuration()
    running = PID_FILE.read_text()

    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=account.name))

    # Every other owner's connection stays up: the same OpenVPN, its configuration untouched.
    assert PID_FILE.read_text() == running
    assert CONFIG.read_text() != today

    await vpn_service.prepare(agent_config)  # what the agent does when it starts

    assert CONFIG.read_text() == today
    assert PID_FILE.read_text() != running  # restarted once, with client-config-dir
    assert (await vpn.GetVpnServer(vpn_pb2.GetVpnServerRequest())).running
    await accounts.UnsuspendAccount(accounts_pb2.UnsuspendAccountRequest(name=account.name))


@pytest.mark.usefixtures("web_servers")  # suspension takes its sites offline too
async def test_a_deleted_suspended_account_leaves_no_suspension_to_its_successor(
    vpn: Stub,
    vpn_server: vpn_pb2.VpnServer,
    accounts: AccountStub,
    account: accounts_pb2.Account,
    lan: Lan,
    clients: list[Client],
    tmp_path: Path,
) -> None:
    await accounts.SuspendAccount(accounts_pb2.SuspendAccountRequest(name=account.name))
    await accounts.DeleteAccount(accounts_pb2.DeleteAccountRequest(name=account.name))
    request = accounts_pb2.CreateAccountRequest(
        name=account.name, password="first password", shell=accounts_pb2.SHELL_BASH
    )
    await accounts.CreateAccount(request)
    profile = (await create(vpn, account.name, "laptop")).profile
    client = Client(lan, profile, tmp_path)
    clients.append(client)
    client.start()
    await client.until_connected()


async def renew(vpn: Stub, owner: str, name: str) -> vpn_pb2.RenewVpnClientResponse:
    return await vpn.RenewVpnClient(vpn_pb2.RenewVpnClientRequest(owner=owner, name=name))


async def refused(lan: Lan, profile: str, directory: Path, clients: list[Client]) -> None:
    client = Client(lan, profile, directory)
    clients.append(client)
    client.start("--tls-exit", "--connect-retry-max", "1", "--hand-window", "10")
    await until(client.ended, "the refused client to give up", seconds=60)
    assert not client.connected()


async def connects(lan: Lan, profile: str, directory: Path, clients: list[Client]) -> None:
    client = Client(lan, profile, directory)
    clients.append(client)
    client.start()
    await client.until_connected()
    client.stop()


async def test_renewal_gives_a_new_profile_and_the_previous_one_works_until_it_expires(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer, lan: Lan, clients: list[Client], tmp_path: Path
) -> None:
    owner = new_owner()
    first = (await create(vpn, owner, "laptop")).profile
    expires = (await listed(vpn, owner))["laptop"].expires_at
    assert expires > time.time() + 29 * 86400
    renewed = await renew(vpn, owner, "laptop")
    assert renewed.profile != first
    assert "<key>\n-----BEGIN PRIVATE KEY-----" in renewed.profile
    assert renewed.client.state == vpn_pb2.CLIENT_STATE_DISCONNECTED
    assert renewed.client.expires_at >= expires
    assert not list((VPN_DIR / "pki").glob(f"**/private/{owner}.laptop.key"))
    await connects(lan, renewed.profile, tmp_path, clients)
    await connects(lan, first, tmp_path, clients)  # the devices still on it keep working

    # Renewed again while the first is still valid (the answer was lost): the lost one is
    # revoked, the first still works, the newest works.
    again = await renew(vpn, owner, "laptop")
    await refused(lan, renewed.profile, tmp_path, clients)
    await connects(lan, first, tmp_path, clients)
    await connects(lan, again.profile, tmp_path, clients)

    # Revoking the client revokes every certificate it holds.
    await revoke(vpn, owner, "laptop")
    await refused(lan, first, tmp_path, clients)
    await refused(lan, again.profile, tmp_path, clients)
    code, _ = await rpc_error(renew(vpn, owner, "laptop"))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_another_owners_client_cannot_be_renewed(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer
) -> None:
    alice, mallory = new_owner(), new_owner()
    await create(vpn, alice, "laptop")
    for other in (mallory, alice[:-1], alice + "x"):
        code, _ = await rpc_error(renew(vpn, other, "laptop"))
        assert code == grpc.StatusCode.NOT_FOUND
    for bad in ("../laptop", "laptop.key", ""):
        code, _ = await rpc_error(renew(vpn, alice, bad))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert not (VPN_DIR / "pki" / "renewed" / "issued" / f"{alice}.laptop.crt").exists()


async def test_a_batch_answers_each_owner_as_its_own_list_does(
    vpn: Stub, vpn_server: vpn_pb2.VpnServer, lan: Lan, clients: list[Client], tmp_path: Path
) -> None:
    """BatchListVpnClients, the reconcile's read: each owner once, in name order, with its own
    clients only (connection state included, from one look at OpenVPN's) as ListVpnClients
    gives them; names next to an owner's hold nothing of its."""
    alice, bob = sorted((new_owner(), new_owner()))
    client = Client(lan, (await create(vpn, alice, "laptop")).profile, tmp_path)
    clients.append(client)
    client.start()
    await client.until_connected()
    await create(vpn, bob, "phone")
    await revoke(vpn, bob, "phone")
    asked = [bob, alice + "x", alice, alice[:-1], bob]
    answer = await vpn.BatchListVpnClients(vpn_pb2.BatchListVpnClientsRequest(owners=asked))
    assert [entry.owner for entry in answer.owners] == sorted(set(asked))
    for entry in answer.owners:
        single = await vpn.ListVpnClients(vpn_pb2.ListVpnClientsRequest(owner=entry.owner))
        assert entry.failure == ""
        assert [c.name for c in entry.clients] == [c.name for c in single.clients]
        assert [c.state for c in entry.clients] == [c.state for c in single.clients]
    by_owner = {entry.owner: entry for entry in answer.owners}
    laptop = by_owner[alice].clients[0]
    assert laptop.state == vpn_pb2.CLIENT_STATE_CONNECTED
    assert laptop.real_address.startswith(lan.client_address + ":")
    assert [c.state for c in by_owner[bob].clients] == [vpn_pb2.CLIENT_STATE_REVOKED]
    assert not by_owner[alice[:-1]].clients
    assert not by_owner[alice + "x"].clients


@pytest.mark.parametrize(
    ("owners", "field"),
    [
        ([], "owners"),
        ([f"owner{i:04d}" for i in range(1001)], "owners"),
        (["alice", "Root"], "owners[1]"),
        (["../etc"], "owners[0]"),
        (["alice\n"], "owners[0]"),
        (["a" * 33], "owners[0]"),
        ([""], "owners[0]"),
    ],
)
async def test_a_batch_with_a_name_that_is_no_owner_is_refused_whole(
    vpn: Stub, owners: list[str], field: str
) -> None:
    request = vpn_pb2.BatchListVpnClientsRequest(owners=owners)
    code, message = await rpc_error(vpn.BatchListVpnClients(request))
    assert (code, message.split(": ", 1)[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field)
