"""A shell over SSH through the sandbox's real sshd, where the plan allows it: the account runs
commands as itself, outside the chroot, and still reaches nothing of another tenant, the
agent or MariaDB's administrators; an SFTP-only account runs nothing; moving the account to a
plan without a shell, or suspending it, takes the shell away."""

from __future__ import annotations

import asyncio
import contextlib
import pwd
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import asyncssh
import grpc
import pytest
import stack
from jopanel.agent.ssh.v1 import ssh_pb2 as pb

from agent.system.ssh.keys import KEYS_DIR_NAME
from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_sftp_e2e import refused, sftp, ssh_service

pytestmark = pytest.mark.e2e

PASSWORD = "shell-pass-1"
# Python as the account: a connect(2) to a Unix socket, printing what the account gets.
CONNECT = (
    "python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX)\n"
    'try:\n s.connect(sys.argv[1]); print("connected")\n'
    "except OSError as e: print(type(e).__name__)' "
)


async def run(
    live: stack.Stack, user: str, command: str, term_type: str | None = None, **auth: object
) -> asyncssh.SSHCompletedProcess:
    """`command` in a session of `user` (a password or client_keys, nothing else tried), with
    a PTY when `term_type` is given."""
    async with asyncssh.connect(
        "127.0.0.1",
        live.ssh_port,
        username=user,
        known_hosts=None,
        agent_path=None,
        client_keys=auth.pop("client_keys", None),
        password=auth.pop("password", None),
        preferred_auth=auth.pop("preferred_auth", "publickey,password"),
    ) as connection:
        return await connection.run(command, check=False, term_type=term_type)


@contextlib.asynccontextmanager
async def connected(live: stack.Stack, user: str) -> AsyncIterator[asyncssh.SSHClientConnection]:
    async with asyncssh.connect(
        "127.0.0.1", live.ssh_port, username=user, known_hosts=None, agent_path=None,
        password=PASSWORD, preferred_auth="password",
    ) as connection:  # fmt: skip
        yield connection


def sleeps_of(user: str) -> int:
    done = subprocess.run(["pgrep", "-c", "-u", user, "sleep"], capture_output=True, text=True)
    return int(done.stdout.strip() or 0)


async def settled(condition: Callable[[], bool]) -> bool:
    for _ in range(50):
        if await asyncio.to_thread(condition):
            return True
        await asyncio.sleep(0.1)
    return False


async def runs_as_itself(live: stack.Stack, user: str, **auth: object) -> bool:
    """Whether a new session of `user` runs a command and it runs with the account's uid."""
    done = await run(live, user, "id -u", None, **auth)
    return str(done.stdout).strip() == str(pwd.getpwnam(user).pw_uid)


async def test_a_shell_where_the_plan_allows_it_and_nowhere_else(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        plan = {"name": "e2e-shell", "ssh_shell": True}
        assert (await call(session, "POST", f"{base}/plans", admin, json=plan))[0] == 201
        # Both have bash as their login shell; only e2e_sh's plan gives it over SSH.
        for name, on_plan in (("e2e_sh", "e2e-shell"), ("e2e_sh2", "default")):
            body = {"name": name, "password": PASSWORD, "plan": on_plan, "shell": "bash"}
            status, answer = await call(session, "POST", f"{base}/accounts", admin, json=body)
            assert status == 201, answer
        async with (
            sftp(live, "e2e_sh2", password=PASSWORD) as client,
            client.open("/e2e_sh2/secret.txt", "w") as file,
        ):
            await file.write("e2e_sh2's secret\n")

        # The shell: its own uid, its real home (no chroot), a PTY when asked.
        uid = pwd.getpwnam("e2e_sh").pw_uid
        done = await run(live, "e2e_sh", "id -u; pwd; echo $SHELL", password=PASSWORD)
        assert (done.exit_status, str(done.stdout).split()) == (
            0,
            [str(uid), "/home/e2e_sh", "/bin/bash"],
        )
        done = await run(live, "e2e_sh", "tty", password=PASSWORD, term_type="xterm")
        assert str(done.stdout).startswith("/dev/pts/")
        # Its /tmp is its own (pam_namespace): kept for its next session, out of everyone
        # else's /tmp; and its /dev/shm is a small one of the session's own.
        done = await run(live, "e2e_sh", "echo kept > /tmp/e2e-note", password=PASSWORD)
        assert done.exit_status == 0, done.stderr
        assert not Path("/tmp/e2e-note").exists()
        done = await run(live, "e2e_sh", "cat /tmp/e2e-note; df -m --output=size /dev/shm",
                         password=PASSWORD)  # fmt: skip
        assert str(done.stdout).split() == ["kept", "1M-blocks", "64"]

        # Another tenant's files, the list of homes, root's files: refused as the account.
        for command in ("cat /home/e2e_sh2/secret.txt", "ls /home", "cat /etc/shadow"):
            done = await run(live, "e2e_sh", command, password=PASSWORD)
            assert done.exit_status != 0, command
            assert "Permission denied" in str(done.stderr), command
            assert "secret" not in str(done.stdout)
        # The agent's socket and MariaDB's administrators: refused.
        done = await run(live, "e2e_sh", CONNECT + stack.AGENT_SOCKET, password=PASSWORD)
        assert str(done.stdout).strip() == "PermissionError"
        for user in ("root", "mysql", stack.GATEWAY_USER):
            command = f"mariadb --socket={stack.MARIADB_SOCKET} -u {user} -e 'SELECT 1'"
            done = await run(live, "e2e_sh", command, password=PASSWORD)
            assert done.exit_status != 0, user
            assert "Access denied" in str(done.stderr), user

        # The SFTP-only account runs nothing, whatever it asks.
        done = await run(live, "e2e_sh2", "id -u", password=PASSWORD)
        assert str(pwd.getpwnam("e2e_sh2").pw_uid) not in str(done.stdout)

        # A key signs in to the shell too; a key line with options stays refused both ways.
        key = asyncssh.generate_private_key("ssh-ed25519")
        line = key.export_public_key().decode().strip()
        keys_file = Path("/etc/ssh") / KEYS_DIR_NAME / "e2e_sh"
        status, _ = await call(session, "POST", f"{base}/ssh-keys", admin,
                               json={"public_key": line, "account": "e2e_sh"})  # fmt: skip
        assert status == 201
        assert await runs_as_itself(live, "e2e_sh", client_keys=[key], preferred_auth="publickey")
        written = keys_file.read_bytes()
        other = asyncssh.generate_private_key("ssh-ed25519")
        other_line = other.export_public_key().decode().strip()
        for hostile in (f'command="/bin/sh" {other_line}', f"no-pty,pty {other_line}"):
            status, _ = await call(session, "POST", f"{base}/ssh-keys", admin,
                                   json={"public_key": hostile, "account": "e2e_sh"})  # fmt: skip
            assert status == 400, hostile
            channel, service = await ssh_service()
            async with channel:
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    await service.CreateSshKey(
                        pb.CreateSshKeyRequest(account="e2e_sh", public_key=hostile)
                    )
            assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert keys_file.read_bytes() == written
        assert await refused(live, "e2e_sh", client_keys=[other], preferred_auth="publickey")

        # Moved to a plan without a shell: a new session runs nothing; moved back: it does.
        move = {"plan": "default"}
        assert (await call(session, "PATCH", f"{base}/accounts/e2e_sh", admin, json=move))[0] == 200
        assert not await runs_as_itself(live, "e2e_sh", password=PASSWORD)
        async with sftp(live, "e2e_sh", password=PASSWORD) as client:
            assert await client.getcwd() == "/e2e_sh"  # SFTP, chrooted again
        move = {"plan": "e2e-shell"}
        assert (await call(session, "PATCH", f"{base}/accounts/e2e_sh", admin, json=move))[0] == 200
        assert await runs_as_itself(live, "e2e_sh", password=PASSWORD)

        # Suspended: refused both ways; unsuspended: the shell again.
        assert (await call(session, "POST", f"{base}/accounts/e2e_sh/suspend", admin))[0] == 200
        assert await refused(live, "e2e_sh", password=PASSWORD)
        assert await refused(live, "e2e_sh", client_keys=[key], preferred_auth="publickey")
        assert (await call(session, "POST", f"{base}/accounts/e2e_sh/unsuspend", admin))[0] == 200
        assert await runs_as_itself(live, "e2e_sh", client_keys=[key], preferred_auth="publickey")

        # The plan itself loses the shell: every account on it does, and the sessions it has
        # open (a shell on a terminal, a command without one) end with what they run.
        async with connected(live, "e2e_sh") as first, connected(live, "e2e_sh") as second:
            shell = await first.create_process("sleep 300", term_type="xterm")
            no_terminal = await second.create_process("sleep 301")
            assert await settled(lambda: sleeps_of("e2e_sh") == 2)
            change = {"ssh_shell": False}
            status, _ = await call(session, "PATCH", f"{base}/plans/e2e-shell", admin, json=change)
            assert status == 200
            for process in (shell, no_terminal):
                await asyncio.wait_for(process.wait_closed(), timeout=10)
            assert await settled(lambda: sleeps_of("e2e_sh") == 0)
        assert not await runs_as_itself(live, "e2e_sh", password=PASSWORD)

        for name in ("e2e_sh", "e2e_sh2"):
            assert (await call(session, "DELETE", f"{base}/accounts/{name}", admin))[0] == 204
        assert (await call(session, "DELETE", f"{base}/plans/e2e-shell", admin))[0] == 204
