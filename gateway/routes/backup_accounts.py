"""Accounts of a backup repository that this server does not know (another server's, sharing
a remote repository, or deleted here), and the restore of one onto this server: administrators
only, since the listing crosses every tenant's backups (docs/backups.md, "A whole account onto
a fresh server")."""

from __future__ import annotations

import re

from aiohttp import web

from gateway import keys
from gateway.api import Access, Call, NoBody, Operation, json_response
from gateway.models.jobs import (
    AccountRestoreStart,
    Job,
    RepositoryAccountList,
    RepositoryAccountQuery,
    job_of,
    repository_account_of,
)
from gateway.problems import not_found
from gateway.services import backup_fresh as service

_ACCOUNT = re.compile(r"[a-z][a-z0-9_]{2,31}")


async def list_accounts(call: Call[NoBody, RepositoryAccountQuery]) -> web.StreamResponse:
    found = await service.repository_accounts(call.context, call.query.repository)
    return json_response(RepositoryAccountList(items=[repository_account_of(a) for a in found]))


async def restore_account(call: Call[AccountRestoreStart]) -> web.StreamResponse:
    account = call.param_like("account", _ACCOUNT)
    if account is None:
        raise not_found("Account in the repository")
    body = call.body
    wanted = service.FreshRestore(
        account=account,
        uid=body.uid,
        backup_id=body.backup_id,
        repository=body.repository,
        plan=body.plan,
        password=body.password,
    )
    runner = call.request.app[keys.JOBS]
    job = await service.restore_account(
        call.context, runner, wanted, call.config.auth.bcrypt_rounds
    )
    return json_response(job_of(job), 202)


operations = [
    Operation(
        "GET",
        "/api/v1/backup-accounts",
        list_accounts,
        "listBackupAccounts",
        "Accounts a repository holds backups of that no account of this server owns (another"
        " server's, or deleted here), with their backups",
        "backups",
        Access.ADMIN,
        query=RepositoryAccountQuery,
        response=RepositoryAccountList,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/backup-accounts/{account}/restore",
        restore_account,
        "restoreBackupAccount",
        "Make the account here from one of its backups: the account (same name, this server's"
        " uid, the backup's plan or the one named), its sites, databases and database users,"
        " then a job restoring its files, databases, crontab and zones as the new account"
        " (409 when its name or one of its sites' names is taken here; nothing is made)",
        "backups",
        Access.ADMIN,
        body=AccountRestoreStart,
        response=Job,
        status=202,
        errors=(404, 409, 422),
    ),
]
