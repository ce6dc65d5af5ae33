"""Remote backup repositories (administrators only): added, listed and removed through the
agent, which keeps their credentials; no reply carries a secret (docs/backups.md)."""

from __future__ import annotations

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, json_response
from gateway.models.backup_repositories import (
    Repository,
    RepositoryCreate,
    RepositoryList,
    repository_of,
    request_of,
)
from gateway.problems import field_error, not_found
from gateway.services import backup_repositories as service


async def list_repositories(call: Call[NoBody]) -> web.StreamResponse:
    found = await service.listed(call.context)
    return json_response(RepositoryList(items=[repository_of(item) for item in found]))


async def create_repository(call: Call[RepositoryCreate]) -> web.StreamResponse:
    body = call.body
    if (body.sftp is None) == (body.s3 is None):
        raise field_error("sftp", "give sftp or s3, one of them")
    created = await service.create(call.context, request_of(body))
    return json_response(repository_of(created), 201)


async def delete_repository(call: Call) -> web.StreamResponse:
    name = call.param("name")
    if name not in {item.name for item in await service.listed(call.context)}:
        raise not_found(f"Backup repository '{name}'")
    await service.delete(call.context, name)
    return web.Response(status=204)


operations = [
    Operation(
        "GET",
        "/api/v1/backup-repositories",
        list_repositories,
        "listBackupRepositories",
        "The remote backup repositories, without their credentials",
        "backup-repositories",
        Access.ADMIN,
        response=RepositoryList,
    ),
    Operation(
        "POST",
        "/api/v1/backup-repositories",
        create_repository,
        "createBackupRepository",
        "Add (or replace) a remote repository: SFTP with its pinned host key and a private key "
        "or password, or S3-compatible; the server connects at once (409 when it cannot, "
        "keeping nothing)",
        "backup-repositories",
        Access.ADMIN,
        body=RepositoryCreate,
        response=Repository,
        status=201,
        errors=(409,),
    ),
    Operation(
        "DELETE",
        "/api/v1/backup-repositories/{name}",
        delete_repository,
        "deleteBackupRepository",
        "Forget a remote repository's credentials (its data on the remote side stays)",
        "backup-repositories",
        Access.ADMIN,
        status=204,
        errors=(404,),
    ),
]
