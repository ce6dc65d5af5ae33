"""SSH keys and SSH access: the flows that record a key, have the agent write it, and settle
the record; an administrator's switch for an account's SFTP sign-in; and the shell over SSH
that an account's plan gives it (docs/sftp.md).

Each key change follows the consistency rule (gateway/consistency.py): recorded first, applied
through the agent, then completed, and written to the audit log whatever its outcome. The key
is parsed here with the rule the agent parses it with (jopanel_rules.ssh), so a line that is no
key is a 400 before anything is recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Collection

from jopanel.agent.ssh.v1 import ssh_pb2 as pb

from gateway.agent import CALL_TIMEOUT_SECONDS, Agent, each
from gateway.consistency import applying, settle, settle_each
from gateway.context import Context
from gateway.problems import conflict, field_error, not_found
from gateway.store import accounts, plans
from gateway.store import ssh as store
from gateway.store.accounts import AccountRecord, ShellName
from gateway.store.ssh import NewKey, SshKeyRecord
from gateway.store.tenants import Tenants
from jopanel_rules.ssh import COMMENT_PATTERN, MAX_KEYS, BadKey, parse_public_key


async def get(ctx: Context, public_id: str) -> SshKeyRecord | None:
    return await store.get(ctx.db, public_id)


async def page(ctx: Context, tenants: Tenants, after: str, limit: int) -> list[SshKeyRecord]:
    """Keys in id order after `after`: one account's, or every account's."""
    return await store.page(ctx.db, after=after, tenants=tenants, limit=limit)


def new_key(line: str, comment: str | None) -> NewKey:
    """The key of a pasted line, named by `comment`, or else by the line's own comment when it
    fits the comment rule; 400 on public_key when the line is not one key JoPanel takes."""
    try:
        key = parse_public_key(line)
    except BadKey as exc:
        raise field_error("public_key", str(exc)) from exc
    if comment is None:
        own = line.strip().split(" ", 2)[2:]
        comment = own[0] if own and COMMENT_PATTERN.fullmatch(own[0]) else ""
    return NewKey(key.fingerprint, key.type, key.bits, comment, key.line)


async def create(ctx: Context, account: AccountRecord, key: NewKey) -> SshKeyRecord:
    public_id = secrets.token_hex(8)
    async with ctx.audited("ssh_key.create", f"{account.name}/{key.fingerprint}"):
        try:
            key_id = await store.insert_pending(ctx.db, account.id, public_id, key, MAX_KEYS)
        except store.KeyTaken as exc:
            raise conflict("The account has this key already.") from exc
        except store.TooManyKeys as exc:
            raise conflict(f"An account has at most {MAX_KEYS} keys; remove one first.") from exc
        async with applying(undo=lambda: store.delete(ctx.db, key_id)):
            await ctx.agent.ssh.CreateSshKey(
                pb.CreateSshKeyRequest(
                    account=account.name, public_key=key.public_key, comment=key.comment
                ),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.set_status(ctx.db, key_id, "active")
    return await _read(ctx, public_id)


async def delete(ctx: Context, key: SshKeyRecord) -> None:
    async with ctx.audited("ssh_key.delete", f"{key.account}/{key.fingerprint}"):
        await store.set_status(ctx.db, key.id, "deleting")
        async with applying(undo=lambda: store.set_status(ctx.db, key.id, key.status)):
            await ctx.agent.ssh.DeleteSshKey(
                pb.DeleteSshKeyRequest(account=key.account, fingerprint=key.fingerprint),
                timeout=CALL_TIMEOUT_SECONDS,
            )
        await store.delete(ctx.db, key.id)


async def access(ctx: Context, account: AccountRecord) -> bool:
    return await store.access(ctx.db, account.id)


async def set_access(ctx: Context, account: AccountRecord, enabled: bool) -> bool:
    """The agent first, then the record: the agent's change is idempotent, so a retry repairs
    a crash in between."""
    action = "ssh_access.enable" if enabled else "ssh_access.disable"
    async with ctx.audited(action, account.name):
        if account.status not in ("active", "suspended"):
            raise conflict(f"Account '{account.name}' is {account.status}; try again later.")
        await ctx.agent.ssh.UpdateSshAccess(
            pb.UpdateSshAccessRequest(access=pb.SshAccess(account=account.name, enabled=enabled)),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await store.set_access(ctx.db, account.id, enabled)
    return enabled


async def shell(ctx: Context, account: AccountRecord) -> bool:
    """Whether the account gets its login shell over SSH, as its plan and login shell say."""
    plan = await plans.get(ctx.db, account.plan)
    return plan is not None and shell_wanted(plan.ssh_shell, account.shell)


def shell_wanted(plan_allows: bool, login_shell: ShellName) -> bool:
    """Whether an account gets its login shell over SSH: its plan allows it and it has one. A
    nologin account keeps SFTP (sshd would run even SFTP through nologin outside the chroot)."""
    return plan_allows and login_shell != "nologin"


async def set_shell(agent: Agent, name: str, enabled: bool) -> None:
    await agent.ssh.UpdateSshShell(
        pb.UpdateSshShellRequest(account=name, enabled=enabled), timeout=CALL_TIMEOUT_SECONDS
    )


async def set_shells(
    agent: Agent, names: Collection[str], enabled: bool, *, undo: Callable[[], Awaitable[object]]
) -> None:
    """Gives every named account its shell over SSH, or takes it; when the agent fails, the
    accounts already changed are set back, `undo` takes back the record, and the error goes on
    (as a plan's quotas: gateway/services/quotas.py)."""
    await each(
        names,
        lambda name: set_shell(agent, name, enabled),
        lambda name: set_shell(agent, name, not enabled),
        undo,
    )


async def settle_shell(ctx: Context, name: str, *, known: bool | None = None) -> None:
    """The account's shell over SSH as its records say now (consistency.settle): a plan's
    ssh_shell change, a move or a login shell change racing this one could otherwise leave a
    shell on a plan that takes it away."""

    async def read() -> bool | None:
        found = (await accounts.plan_wants(ctx.db, [name])).get(name)
        return None if found is None else found.ssh_shell

    await settle(
        f"the shell of {name}", read, lambda wanted: set_shell(ctx.agent, name, wanted), known=known
    )


async def settle_shells(ctx: Context, names: Collection[str], sent: bool) -> None:
    """After a plan's change sent `sent` to the named accounts: settles those whose records
    say otherwise now."""
    wants = await accounts.plan_wants(ctx.db, names)
    changed = [name for name in names if name in wants and wants[name].ssh_shell != sent]
    await settle_each("the shell", changed, lambda name: settle_shell(ctx, name, known=sent))


async def _read(ctx: Context, public_id: str) -> SshKeyRecord:
    key = await store.get(ctx.db, public_id)
    if key is None:  # deleted by another request in between
        raise not_found(f"SSH key '{public_id}'")
    return key
