"""A whole account onto a server whose panel does not know it (docs/backups.md, "A whole
account onto a fresh server").

An administrator lists the accounts a repository holds backups of that no account here owns
(another server's, sharing a remote repository, or one deleted here) and restores one: the
account is made here under its name (this server's uid), on the plan of the backup's name or
one the administrator picks; its sites, databases and database users are made through the
normal services from the panel's records the backup carries (refused as a whole, before
anything is made, when the name or any of its sites' names is taken here); then a restore job
brings its files, databases, crontab and zones back as the new account, and its cron jobs and
zones are recorded when it ends (gateway/services/backup_records.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

import grpc
from jopanel.agent.backups.v1 import backups_pb2 as pb
from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway.agent import at_once
from gateway.context import Context
from gateway.problems import FieldError, Problem, conflict, not_found, unprocessable
from gateway.services import accounts, backup_records, database_users, databases, domains, jobs
from gateway.services.jobs import JobRunner
from gateway.store import names
from gateway.store import plans as plans_store
from gateway.store.accounts import AccountRecord
from gateway.store.jobs import JobRecord

# Listing reads each backup's manifest from the repository once (the agent caches them).
_LIST_TIMEOUT_SECONDS: Final = 300.0


@dataclass(frozen=True)
class FreshRestore:
    """What an administrator asks for: a backup (by its account, the uid it was made under and
    its id) in a repository, the plan (None: the backup's plan's name) and the owner's new
    password (the panel keeps no password in a backup)."""

    account: str
    uid: int
    backup_id: str
    repository: str
    plan: str | None
    password: str


async def repository_accounts(ctx: Context, repository: str) -> list[pb.RepositoryAccount]:
    await jobs.require_repository(ctx, repository)
    reply = await ctx.agent.backups.ListRepositoryAccounts(
        pb.ListRepositoryAccountsRequest(repository=repository), timeout=_LIST_TIMEOUT_SECONDS
    )
    return list(reply.accounts)


async def restore_account(
    ctx: Context, runner: JobRunner, wanted: FreshRestore, bcrypt_rounds: int
) -> JobRecord:
    """Makes the account and what the backup's records name, then starts the restore job
    (audited as `backup-account.restore`, besides each step's own entry)."""
    target = f"{wanted.account}/{wanted.backup_id}"
    async with ctx.audited("backup-account.restore", target, wanted.repository):
        return await _restore_account(ctx, runner, wanted, bcrypt_rounds)


async def _restore_account(
    ctx: Context, runner: JobRunner, wanted: FreshRestore, bcrypt_rounds: int
) -> JobRecord:
    backup = await _listed_backup(ctx, wanted)
    settings = await ctx.agent.backups.GetBackupSettings(
        pb.GetBackupSettingsRequest(
            account=wanted.account,
            backup_id=wanted.backup_id,
            repository=wanted.repository,
            source_uid=wanted.uid,
        ),
        timeout=_LIST_TIMEOUT_SECONDS,
    )
    plan = await _plan(ctx, wanted.plan or settings.records.plan)
    sites = backup_records.sites_of(settings)
    held = await names.first_held(ctx.db, [n for site in sites for n in (site.name, *site.aliases)])
    if held is not None:
        raise conflict(f"{held} Nothing was made: free the name first.")
    made = await accounts.create(  # noqa: S604 (a login shell's name, not a subprocess)
        ctx,
        name=wanted.account,
        password=wanted.password,
        email=None,
        shell="nologin",
        plan_name=plan,
        bcrypt_rounds=bcrypt_rounds,
    )
    account = made.record
    try:
        await _make_records(ctx, account, sites, settings.records)
    except (Problem, grpc.aio.AioRpcError):
        # All or nothing: an account half made would hold names and a uid for nothing.
        await accounts.delete(ctx, account)
        raise
    request = pb.RestoreBackupRequest(
        account=account.name,
        backup_id=wanted.backup_id,
        whole_account=True,
        placement=pb.PLACEMENT_IN_PLACE,
        repository=wanted.repository,
        source_uid=wanted.uid,
    )
    return await jobs.start_restore(ctx, runner, account, request, backup)


async def _listed_backup(ctx: Context, wanted: FreshRestore) -> pb.Backup:
    """The backup, when the repository lists it for an account no account here owns; 404 for
    anything else (a live account's backups are its own, restored through /backups)."""
    for item in await repository_accounts(ctx, wanted.repository):
        if (item.account, item.uid) != (wanted.account, wanted.uid):
            continue
        if item.name_taken:
            raise conflict(
                f"An account named '{wanted.account}' exists here: delete or rename it first."
            )
        for backup in item.backups:
            if backup.id == wanted.backup_id:
                return backup
    raise not_found(f"Backup '{wanted.backup_id}' of an account '{wanted.account}' not here")


async def _plan(ctx: Context, name: str) -> str:
    """The plan to make the account on: 422 when the backup names none, or one this server
    does not have (the administrator picks one)."""
    if not name:
        why = "the backup names no plan: pick one of this server's plans"
    elif await plans_store.get(ctx.db, name) is None:
        why = f"this server has no plan named '{name}': pick one"
    else:
        return name
    raise unprocessable(f"plan: {why}", [FieldError("plan", why)])


async def _make_records(
    ctx: Context,
    account: AccountRecord,
    sites: list[web_pb.WebDomain],
    records: pb.AccountRecords,
) -> None:
    # The sites at once: the agent takes the changes that wait together into one batch, one
    # nginx reload for all of them (docs/web.md, Coalescing), so an account of hundreds of
    # sites costs the request a few reloads rather than one per site.
    made = await at_once(
        sites,
        lambda site: domains.create(
            ctx,
            account,
            site.name,
            list(site.aliases),
            backup_records.creation_backend(site),
            zone_address=None,
        ),
    )
    failed = [result for result in made if isinstance(result, BaseException)]
    if failed:
        raise failed[0]
    for database in records.databases:
        await databases.create(ctx, account, database)
    for user in records.database_users:
        # The panel keeps no password in a backup: each user gets one nobody knows, and the
        # owner sets its own (docs/backups.md).
        password = secrets.token_urlsafe(24)
        await database_users.create(ctx, account, user.name, password, list(user.databases))
