"""SFTP through the sandbox's real sshd, as an account owner (and a hostile one) sees it: a
password and a key sign in, a file uploaded into public_html is served by nginx, the chroot
shows nothing but the account's own home, and a suspended or switched-off account is refused."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
import asyncssh
import grpc
import pytest
import stack
from jopanel.agent.ssh.v1 import ssh_pb2 as pb
from jopanel.agent.ssh.v1 import ssh_pb2_grpc

from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_websites_e2e import page

pytestmark = pytest.mark.e2e

SITE = "e2e-sftp.example"


@contextlib.asynccontextmanager
async def sftp(live: stack.Stack, user: str, **auth: object) -> AsyncIterator[asyncssh.SFTPClient]:
    """An SFTP session signed in as `user` with a password or client_keys, nothing else tried
    (no agent, no ~/.ssh of the test runner)."""
    async with (
        asyncssh.connect(
            "127.0.0.1",
            live.ssh_port,
            username=user,
            known_hosts=None,
            agent_path=None,
            client_keys=auth.pop("client_keys", None),
            password=auth.pop("password", None),
            preferred_auth=auth.pop("preferred_auth", "publickey,password"),
        ) as connection,
        connection.start_sftp_client() as client,
    ):
        yield client


async def refused(live: stack.Stack, user: str, **auth: object) -> bool:
    """No session: the credentials are refused (PermissionDenied), or sshd closes the
    connection after PAM's account check refuses a key's user."""
    try:
        async with sftp(live, user, **auth):
            return False
    except (asyncssh.PermissionDenied, asyncssh.ConnectionLost):
        return True


async def ssh_service() -> tuple[grpc.aio.Channel, ssh_pb2_grpc.SshServiceAsyncStub]:
    channel = grpc.aio.insecure_channel(f"unix:{stack.AGENT_SOCKET}")
    return channel, ssh_pb2_grpc.SshServiceStub(channel)


async def test_an_owner_uses_sftp_inside_its_own_home_only(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        status, _ = await call(session, "POST", f"{base}/plans", admin, json={"name": "e2e-sftp"})
        assert status == 201
        for name in ("e2e_sftp", "e2e_sftp2"):
            status, body = await call(
                session,
                "POST",
                f"{base}/accounts",
                admin,
                json={"name": name, "password": "sftp-pass-1", "plan": "e2e-sftp"},
            )
            assert status == 201, body
        owner = await login(session, base, "e2e_sftp", "sftp-pass-1")
        status, domain = await call(session, "POST", f"{base}/domains", owner, json={"name": SITE})
        assert status == 201, domain

        # A password signs in; the session starts in the account's home, inside the chroot.
        async with sftp(live, "e2e_sftp", password="sftp-pass-1") as client:
            assert await client.getcwd() == "/e2e_sftp"
            public = f"/e2e_sftp/web/{SITE}/public_html"
            async with client.open(f"{public}/hello.txt", "w") as file:
                await file.write("uploaded over sftp\n")
            attributes = await client.stat(f"{public}/hello.txt")
            assert attributes.uid == (await client.stat("/e2e_sftp")).uid
            # Nothing above the home can be listed, nor another account's home entered.
            for forbidden in ("/", "/e2e_sftp2"):
                with pytest.raises(asyncssh.SFTPPermissionDenied):
                    await client.listdir(forbidden)
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await client.stat("/e2e_sftp2/web")
            assert await client.realpath("/../..") == "/"
            for outside in ("/etc/shadow", "/etc/passwd", "/root"):
                with pytest.raises(asyncssh.SFTPNoSuchFile):
                    await client.stat(outside)
        assert await page(live.web_port, SITE, "/hello.txt") == (200, "uploaded over sftp\n")
        # Only SFTP: no shell, no command, whatever the client asks.
        async with asyncssh.connect(
            "127.0.0.1",
            live.ssh_port,
            username="e2e_sftp",
            password="sftp-pass-1",
            known_hosts=None,
            agent_path=None,
            client_keys=None,
        ) as connection:
            ran = await connection.run("cat /etc/passwd", check=False)
            assert "root:" not in str(ran.stdout)
        assert await refused(live, "e2e_sftp", password="wrong-pass-1")

        # A key signs in once its owner has added it; the other account's key list stays empty.
        key = asyncssh.generate_private_key("ssh-ed25519")
        line = key.export_public_key().decode().strip()
        channel, service = await ssh_service()
        async with channel:
            assert await refused(live, "e2e_sftp", client_keys=[key], preferred_auth="publickey")
            status, added = await call(
                session,
                "POST",
                f"{base}/ssh-keys",
                owner,
                json={"public_key": line, "comment": "laptop"},
            )
            assert status == 201, added
            async with sftp(live, "e2e_sftp", client_keys=[key], preferred_auth="publickey") as c:
                assert await c.getcwd() == "/e2e_sftp"
            # The key is alice's alone: it signs nobody else in, and another account's delete
            # of it does nothing.
            assert await refused(live, "e2e_sftp2", client_keys=[key], preferred_auth="publickey")
            await service.DeleteSshKey(
                pb.DeleteSshKeyRequest(account="e2e_sftp2", fingerprint=added["fingerprint"])
            )
            listed = await service.ListSshKeys(pb.ListSshKeysRequest(account="e2e_sftp"))
            assert [k.fingerprint for k in listed.keys] == [added["fingerprint"]]
            others = await service.ListSshKeys(pb.ListSshKeysRequest(account="e2e_sftp2"))
            assert list(others.keys) == []

            # Switched off: neither the password nor the key signs in; switched on again: both.
            switch = {"account": "e2e_sftp", "enabled": False}
            status, _ = await call(session, "PUT", f"{base}/ssh-access", admin, json=switch)
            assert status == 200
            assert await refused(live, "e2e_sftp", password="sftp-pass-1")
            assert await refused(live, "e2e_sftp", client_keys=[key], preferred_auth="publickey")
            switch = {"account": "e2e_sftp", "enabled": True}
            status, _ = await call(session, "PUT", f"{base}/ssh-access", admin, json=switch)
            assert status == 200
            async with sftp(live, "e2e_sftp", password="sftp-pass-1"):
                pass

            # Suspended: refused both ways; unsuspended: back.
            status, _ = await call(session, "POST", f"{base}/accounts/e2e_sftp/suspend", admin)
            assert status == 200
            assert await refused(live, "e2e_sftp", password="sftp-pass-1")
            assert await refused(live, "e2e_sftp", client_keys=[key], preferred_auth="publickey")
            status, _ = await call(session, "POST", f"{base}/accounts/e2e_sftp/unsuspend", admin)
            assert status == 200
            async with sftp(live, "e2e_sftp", client_keys=[key], preferred_auth="publickey"):
                pass

            # Deleting the account removes its keys: the name's next owner inherits none.
            for name in ("e2e_sftp", "e2e_sftp2"):
                status, _ = await call(session, "DELETE", f"{base}/accounts/{name}", admin)
                assert status == 204
            status, _ = await call(
                session,
                "POST",
                f"{base}/accounts",
                admin,
                json={"name": "e2e_sftp", "password": "sftp-pass-2"},
            )
            assert status == 201
            listed = await service.ListSshKeys(pb.ListSshKeysRequest(account="e2e_sftp"))
            assert list(listed.keys) == []
            assert await refused(live, "e2e_sftp", client_keys=[key], preferred_auth="publickey")
            status, _ = await call(session, "DELETE", f"{base}/accounts/e2e_sftp", admin)
            assert status == 204
