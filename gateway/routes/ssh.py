"""SSH keys and SFTP access: an owner adds the public keys it signs in with; an administrator
switches an account's SFTP sign-in on or off (docs/sftp.md).

Ids are random and public; the agent knows a key by its fingerprint.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.ssh import (
    SshAccess,
    SshAccessQuery,
    SshAccessUpdate,
    SshKey,
    SshKeyCreate,
    SshKeyPage,
    SshKeyQuery,
    ssh_key_of,
)
from gateway.scope import account_for, account_page
from gateway.services import ssh as service
from gateway.store.ssh import SshKeyRecord

PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


async def find_key(call: Call) -> Owned | None:
    public_id = call.param_like("id", PUBLIC_ID)
    key = await service.get(call.context, public_id) if public_id else None
    return Owned(key.account, key) if key else None


def _key(call: Call[Any, Any]) -> SshKeyRecord:
    return call.found(SshKeyRecord, f"SSH key '{call.param('id')}'")


async def list_keys(call: Call[NoBody, SshKeyQuery]) -> web.StreamResponse:
    keys, token = await account_page(call, call.query, service.page, "public_id")
    return json_response(SshKeyPage(items=[ssh_key_of(k) for k in keys], next_page_token=token))


async def create_key(call: Call[SshKeyCreate]) -> web.StreamResponse:
    body = call.body
    account = await account_for(call, body.account)
    key = service.new_key(body.public_key, body.comment)
    return json_response(ssh_key_of(await service.create(call.context, account, key)), 201)


async def get_key(call: Call) -> web.StreamResponse:
    return json_response(ssh_key_of(_key(call)))


async def delete_key(call: Call) -> web.StreamResponse:
    await service.delete(call.context, _key(call))
    return web.Response(status=204)


async def get_access(call: Call[NoBody, SshAccessQuery]) -> web.StreamResponse:
    account = await account_for(call, call.query.account or None)
    enabled = await service.access(call.context, account)
    shell = await service.shell(call.context, account)
    return json_response(SshAccess(account=account.name, enabled=enabled, shell=shell))


async def update_access(call: Call[SshAccessUpdate]) -> web.StreamResponse:
    account = await account_for(call, call.body.account)
    enabled = await service.set_access(call.context, account, call.body.enabled)
    shell = await service.shell(call.context, account)
    return json_response(SshAccess(account=account.name, enabled=enabled, shell=shell))


_ONE = "/api/v1/ssh-keys/{id}"
operations = [
    Operation(
        "GET",
        "/api/v1/ssh-keys",
        list_keys,
        "listSshKeys",
        "List SSH keys (an owner's own; administrators may filter)",
        "ssh-keys",
        Access.SIGNED_IN,
        query=SshKeyQuery,
        response=SshKeyPage,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/api/v1/ssh-keys",
        create_key,
        "createSshKey",
        "Add a public key the owner signs in to SFTP with",
        "ssh-keys",
        Access.SIGNED_IN,
        body=SshKeyCreate,
        response=SshKey,
        status=201,
        errors=(404, 409),
    ),
    Operation(
        "GET",
        _ONE,
        get_key,
        "getSshKey",
        "One SSH key",
        "ssh-keys",
        Access.SIGNED_IN,
        owner=find_key,
        response=SshKey,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_key,
        "deleteSshKey",
        "Remove an SSH key",
        "ssh-keys",
        Access.SIGNED_IN,
        owner=find_key,
        status=204,
        errors=(404,),
    ),
    Operation(
        "GET",
        "/api/v1/ssh-access",
        get_access,
        "getSshAccess",
        "Whether an account's owner may sign in over SFTP (an owner's own)",
        "ssh-access",
        Access.SIGNED_IN,
        query=SshAccessQuery,
        response=SshAccess,
        errors=(400, 404),
    ),
    Operation(
        "PUT",
        "/api/v1/ssh-access",
        update_access,
        "updateSshAccess",
        "Let an account's owner sign in over SFTP, or not",
        "ssh-access",
        Access.ADMIN,
        body=SshAccessUpdate,
        response=SshAccess,
        errors=(404, 409),
    ),
]
