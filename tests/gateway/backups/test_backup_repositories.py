"""Remote backup repositories through the REST API with the fake agent: administrators add,
list and remove them; no reply carries a secret; backups go to the repository named."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.gateway.backups.test_backups import settled
from tests.gateway.conftest import Api

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"  # noqa: E501
KEY_BASE64 = base64.b64encode(KEY.encode()).decode()
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
SFTP = {
    "host": "backup.example.net",
    "port": 2222,
    "user": "jp",
    "path": "/srv/jp",
    "host_key": HOST_KEY,
}


async def add(api: Api, admin: str, **changes: Any) -> tuple[int, dict[str, Any]]:
    body = {"name": "offsite", "sftp": SFTP, "private_key_base64": KEY_BASE64, **changes}
    status, reply = await api.call("POST", "/api/v1/backup-repositories", admin, json=body)
    return status, dict(reply)


async def test_an_administrator_adds_lists_and_removes_a_repository_without_seeing_secrets(
    api: Api, admin: str
) -> None:
    status, created = await add(api, admin)
    assert status == 201, created
    assert (created["kind"], created["sftp"]["host"], created["secret_set"]) == (
        "sftp",
        "backup.example.net",
        False,
    )
    assert created["key_fingerprint"].startswith("SHA256:")
    status, listing = await api.call("GET", "/api/v1/backup-repositories", admin)
    assert [item["name"] for item in listing["items"]] == ["offsite"]
    assert "PRIVATE KEY" not in str(listing) + str(created)
    assert KEY_BASE64 not in str(listing) + str(created)
    assert api.backups.secrets["offsite"].private_key == KEY  # handed to the agent only
    status, _ = await api.call("DELETE", "/api/v1/backup-repositories/offsite", admin)
    assert status == 204
    status, _ = await api.call("DELETE", "/api/v1/backup-repositories/offsite", admin)
    assert status == 404


async def test_a_password_is_never_returned(api: Api, admin: str) -> None:
    status, created = await add(api, admin, private_key_base64="", password="the login password")
    assert status == 201, created
    assert created["secret_set"] is True
    _, listing = await api.call("GET", "/api/v1/backup-repositories", admin)
    assert "the login password" not in str(listing) + str(created)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "../x"},
        {"name": "Offsite"},
        {"sftp": {**SFTP, "path": "relative"}},
        {"sftp": {**SFTP, "path": "/srv/../etc"}},
        {"sftp": {**SFTP, "port": 70000}},
        {"sftp": {**SFTP, "user": "-oProxyCommand=id"}},
        {"sftp": {**SFTP, "host": "h" * 300}},
        {"s3": {"endpoint": "https://s3.example.net", "bucket": "b-1"}},  # and sftp: both
        {"sftp": None},  # neither
        {"private_key_base64": "k" * 30_000},
        {"private_key_base64": "not base64!"},
        {"private_key_base64": base64.b64encode(b"\xff\xfe").decode()},
    ],
)
async def test_bad_repositories_are_400_and_keep_nothing(
    api: Api, admin: str, changes: dict[str, Any]
) -> None:
    status, problem = await add(api, admin, **changes)
    assert status in (400, 413, 422), problem  # 422: a rule the document cannot state
    assert api.backups.repositories == {}


async def test_owners_cannot_reach_repositories(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await add(api, admin)
    for method, path in (
        ("GET", "/api/v1/backup-repositories"),
        ("POST", "/api/v1/backup-repositories"),
        ("DELETE", "/api/v1/backup-repositories/offsite"),
    ):
        status, _ = await api.call(method, path, alice, json={"name": "x", "sftp": SFTP})
        assert status == 403, (method, path)
    assert list(api.backups.repositories) == ["offsite"]


async def test_backups_go_to_the_repository_named(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await add(api, admin)
    status, job = await api.call("POST", "/api/v1/backups", alice, json={"repository": "offsite"})
    assert status == 202, job
    assert job["subject"] == "offsite"
    await settled(api)
    _, remote = await api.call("GET", "/api/v1/backups?repository=offsite", alice)
    _, local = await api.call("GET", "/api/v1/backups", alice)
    assert len(remote["items"]) == 1
    assert local["items"] == []
    backup = remote["items"][0]["id"]
    status, _ = await api.call(
        "POST", f"/api/v1/backups/{backup}/restore", alice, json={"what": "account"}
    )
    assert status == 404  # not in the local repository
    status, restore = await api.call(
        "POST",
        f"/api/v1/backups/{backup}/restore",
        alice,
        json={"what": "account", "repository": "offsite"},
    )
    assert status == 202, restore


@pytest.mark.parametrize("repository", ["missing", "../etc", "A" * 40, "local "])
async def test_an_unknown_or_bad_repository_starts_nothing(
    api: Api, admin: str, repository: str
) -> None:
    alice = await api.owner(admin)
    status, _ = await api.call("POST", "/api/v1/backups", alice, json={"repository": repository})
    assert status in (400, 404)
    _, jobs = await api.call("GET", "/api/v1/jobs", alice)
    assert jobs["items"] == []
