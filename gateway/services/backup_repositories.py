"""Remote backup repositories: the agent keeps them and their secrets; the gateway audits."""

from __future__ import annotations

from typing import Final

from jopanel.agent.backups.v1 import backups_pb2 as pb

from gateway.context import Context

# Adding connects to the remote side (ssh, restic init): longer than a plain call.
_CREATE_TIMEOUT_SECONDS: Final = 300.0
_TIMEOUT_SECONDS: Final = 60.0


async def listed(ctx: Context) -> list[pb.BackupRepository]:
    reply = await ctx.agent.backups.ListBackupRepositories(
        pb.ListBackupRepositoriesRequest(), timeout=_TIMEOUT_SECONDS
    )
    return list(reply.repositories)


async def create(ctx: Context, request: pb.CreateBackupRepositoryRequest) -> pb.BackupRepository:
    async with ctx.audited("backup-repository.create", request.repository.name):
        reply = await ctx.agent.backups.CreateBackupRepository(
            request, timeout=_CREATE_TIMEOUT_SECONDS
        )
    return reply.repository


async def delete(ctx: Context, name: str) -> None:
    async with ctx.audited("backup-repository.delete", name):
        await ctx.agent.backups.DeleteBackupRepository(
            pb.DeleteBackupRepositoryRequest(name=name), timeout=_TIMEOUT_SECONDS
        )
