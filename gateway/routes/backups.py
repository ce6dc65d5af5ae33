"""Backups: an account's backups in the agent's repository, and jobs that make or restore one.

Starting a backup or a restore answers 202 with the job; GET /api/v1/jobs/{id} follows it.
"""

from __future__ import annotations

from aiohttp import web
from jopanel.agent.backups.v1 import backups_pb2 as pb

from gateway import keys
from gateway.api import Access, Call, NoBody, Operation, json_response
from gateway.models.jobs import (
    BackupList,
    BackupQuery,
    BackupStart,
    Job,
    RestoreStart,
    backup_of,
    job_of,
)
from gateway.problems import field_error, not_found
from gateway.scope import account_for
from gateway.services import jobs as service

_PLACEMENTS = {"in_place": pb.PLACEMENT_IN_PLACE, "beside": pb.PLACEMENT_BESIDE}


async def list_backups(call: Call[NoBody, BackupQuery]) -> web.StreamResponse:
    account = await account_for(call, call.query.account or None)
    backups = await service.backups_of(call.context, account, call.query.repository)
    return json_response(BackupList(items=[backup_of(b) for b in backups]))


async def start_backup(call: Call[BackupStart]) -> web.StreamResponse:
    account = await account_for(call, call.body.account)
    runner = call.request.app[keys.JOBS]
    origin = service.origin_of(call.context)
    job = await service.start_backup(
        call.context, runner, account, origin, repository=call.body.repository
    )
    return json_response(job_of(job), 202)


async def start_restore(call: Call[RestoreStart]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    backup_id = call.param("id")
    listed = await service.backups_of(call.context, account, body.repository)
    known = {b.id: b for b in listed}
    backup = known.get(backup_id)
    if backup is None:  # another account's backup is as absent as none at all
        raise not_found(f"Backup '{backup_id}'")
    request = pb.RestoreBackupRequest(
        account=account.name,
        backup_id=backup_id,
        placement=_PLACEMENTS[body.placement],
        repository=body.repository,
    )
    if body.what == "account":
        request.whole_account = True
    elif not body.name:
        raise field_error("name", f"name the {body.what} to restore")
    else:
        setattr(request, body.what, body.name)
    runner = call.request.app[keys.JOBS]
    job = await service.start_restore(call.context, runner, account, request, backup)
    return json_response(job_of(job), 202)


operations = [
    Operation(
        "GET",
        "/api/v1/backups",
        list_backups,
        "listBackups",
        "An account's backups, newest first (an owner's own; administrators name the account)",
        "backups",
        Access.SIGNED_IN,
        query=BackupQuery,
        response=BackupList,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/backups",
        start_backup,
        "startBackup",
        "Back an account up now: answers with the job that does it (an owner within its plan's"
        " max_backups_per_day, 429 past it)",
        "backups",
        Access.SIGNED_IN,
        body=BackupStart,
        response=Job,
        status=202,
        errors=(404, 429),
    ),
    Operation(
        "POST",
        "/api/v1/backups/{id}/restore",
        start_restore,
        "startRestore",
        "Restore all or part of a backup: answers with the job that does it",
        "backups",
        Access.SIGNED_IN,
        body=RestoreStart,
        response=Job,
        status=202,
        errors=(403, 404),
    ),
]
