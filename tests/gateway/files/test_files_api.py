"""The file manager's REST side against the fake agent: the owner's own home only, uploads and
downloads streamed and resumable, each operation's answer and its audit entry, 400 for what the
document forbids and 422 for what the agent refuses."""

from __future__ import annotations

import os
from typing import Any

from gateway import keys
from tests.gateway.conftest import Api

UPLOAD = "/api/v1/files/content"


async def put(api: Api, token: str, path: str, data: bytes, **query: Any) -> tuple[int, Any]:
    params = {
        "path": path,
        "size": str(query.pop("size", len(data))),
        **{k: str(v) for k, v in query.items()},
    }
    return await api.call("PUT", UPLOAD, token, params=params, data=data)


async def settled(api: Api, token: str, job_id: str) -> dict[str, Any]:
    """The job once the gateway has followed the agent's stream to its end."""
    await api.client.app[keys.JOBS].idle()
    status, job = await api.call("GET", f"/api/v1/jobs/{job_id}", token)
    assert status == 200
    return dict(job)


async def put_text(api: Api, token: str, path: str, data: bytes) -> tuple[int, Any]:
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    return await api.call(
        "PUT", "/api/v1/files/text", token, params={"path": path}, data=data, headers=headers
    )


async def test_an_owner_uploads_lists_and_downloads_its_own_files(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/files/folders", alice, json={"path": "site"}))[0] == 201
    data = os.urandom(5 * 1024 * 1024 + 3)
    status, state = await put(api, alice, "site/big.bin", data)
    assert status == 200, state
    assert state["complete"] is True
    assert state["received"] == len(data)
    assert state["file"]["mode"] == "0644"
    assert state["file"]["kind"] == "file"
    # The body went to the agent in chunks, never as one message.
    assert 0 < api.files.largest_message <= 1024 * 1024
    status, page = await api.call("GET", "/api/v1/files?path=site", alice)
    assert status == 200
    assert [item["name"] for item in page["items"]] == ["big.bin"]
    response = await api.client.get(
        UPLOAD, params={"path": "site/big.bin"}, headers={"Authorization": f"Bearer {alice}"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert 'filename="big.bin"' in response.headers["Content-Disposition"]
    assert await response.read() == data
    ranged = await api.client.get(
        UPLOAD,
        params={"path": "site/big.bin"},
        headers={"Authorization": f"Bearer {alice}", "Range": f"bytes={len(data) - 100}-"},
    )
    assert ranged.status == 206
    assert ranged.headers["Content-Range"] == f"bytes {len(data) - 100}-{len(data) - 1}/{len(data)}"
    assert await ranged.read() == data[-100:]


async def test_an_upload_cut_short_resumes_at_what_arrived(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    data = os.urandom(300_000)
    status, state = await put(api, alice, "a.bin", data[:100_000], size=len(data))
    assert (status, state["complete"], state["received"]) == (200, False, 100_000)
    status, state = await api.call("GET", "/api/v1/files/upload?path=a.bin", alice)
    assert state["received"] == 100_000
    status, problem = await put(api, alice, "a.bin", data[50_000:], size=len(data), offset=50_000)
    assert status == 409, problem
    status, state = await put(api, alice, "a.bin", data[100_000:], size=len(data), offset=100_000)
    assert state["complete"] is True
    assert api.files.homes["alice"]["a.bin"] == data


async def test_a_body_larger_than_announced_is_refused(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, problem = await put(api, alice, "a.bin", b"x" * 10, size=5)
    assert status == 422
    assert problem["errors"][0]["field"] == "size"
    assert "a.bin" not in api.files.homes.get("alice", {})


async def test_text_edit_and_file_actions(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    status, entry = await put_text(api, alice, "index.php", b"<?php echo 1;")
    assert status == 200, entry
    status, text = await api.call("GET", "/api/v1/files/text?path=index.php", alice)
    assert text["content"] == "<?php echo 1;"
    assert (
        await api.call(
            "POST", "/api/v1/files/copy", alice, json={"path": "index.php", "destination": "b.php"}
        )
    )[0] == 201
    status, moved = await api.call(
        "POST", "/api/v1/files/move", alice, json={"path": "b.php", "destination": "c.php"}
    )
    assert moved["path"] == "c.php"
    status, changed = await api.call(
        "POST", "/api/v1/files/mode", alice, json={"path": "c.php", "mode": "0600"}
    )
    assert changed["mode"] == "0600"
    status, made = await api.call(
        "POST",
        "/api/v1/files/archive",
        alice,
        json={"names": ["c.php"], "destination": "c.zip", "format": "zip"},
    )
    assert status == 202
    assert (made["kind"], made["subject"]) == ("archive", "")
    archived = await settled(api, alice, made["id"])
    assert (archived["state"], archived["result"]) == ("succeeded", "c.zip")
    assert api.files.homes["alice"]["c.zip"]
    status, job = await api.call("POST", "/api/v1/files/extract", alice, json={"path": "c.zip"})
    assert status == 202
    extracted = await settled(api, alice, job["id"])
    assert (extracted["kind"], extracted["subject"]) == ("extract", "c.zip")
    assert (extracted["state"], extracted["files_done"], extracted["bytes_done"]) == (
        "succeeded",
        2,
        10,
    )
    # What the agent refuses fails the job, with the agent's reason.
    status, job = await api.call("POST", "/api/v1/files/extract", alice, json={"path": "x.zip"})
    assert status == 202
    failed = await settled(api, alice, job["id"])
    assert failed["state"] == "failed"
    assert "does not exist" in failed["error"]
    status, problem = await api.call("POST", "/api/v1/files/extract", alice, json={"path": "c.php"})
    assert status == 422
    assert problem["errors"][0]["field"] == "format"
    assert (await api.call("DELETE", "/api/v1/files?path=c.php", alice))[0] == 204
    assert "c.php" not in api.files.homes["alice"]
    _, log = await api.call("GET", "/api/v1/audit-log?limit=50", admin)
    actions = {entry["action"] for entry in log["items"]}
    assert {
        "file.edit",
        "file.copy",
        "file.move",
        "file.mode",
        "archive.start",
        "archive.finish",
        "extract.start",
        "extract.finish",
        "file.delete",
    } <= actions


async def test_another_account_is_404_and_changes_nothing(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    await api.create_account(admin, "bob")
    bob = await api.login("bob", "owner-pass-1")
    alice = await api.login("alice", "owner-pass-1")
    await put_text(api, alice, "secret.txt", b"s")
    calls = list(api.files.calls)
    for method, path, body in (
        ("GET", "/api/v1/files?account=alice", None),
        ("GET", "/api/v1/files/text?account=alice&path=secret.txt", None),
        ("GET", f"{UPLOAD}?account=alice&path=secret.txt", None),
        ("DELETE", "/api/v1/files?account=alice&path=secret.txt", None),
        ("PUT", f"{UPLOAD}?account=alice&path=x&size=1", None),
        ("PUT", "/api/v1/files/text?account=alice&path=secret.txt", None),
        (
            "POST",
            "/api/v1/files/move",
            {"account": "alice", "path": "secret.txt", "destination": "y"},
        ),
        ("POST", "/api/v1/files/mode", {"account": "alice", "path": "secret.txt", "mode": "0777"}),
        # A name just above or below alice's is no account bob holds either.
        ("GET", "/api/v1/files?account=alic", None),
        ("GET", "/api/v1/files?account=alicea", None),
    ):
        status, _ = await api.call(method, path, bob, json=body)
        assert status == 404, (method, path, status)
    assert api.files.calls == calls
    assert api.files.homes["alice"]["secret.txt"] == b"s"
    # An administrator names the account; without one it is a 400.
    status, problem = await api.call("GET", "/api/v1/files", admin)
    assert status == 422
    assert problem["errors"][0]["field"] == "account"
    status, text = await api.call("GET", "/api/v1/files/text?account=alice&path=secret.txt", admin)
    assert (status, text["content"]) == (200, "s")


async def test_paths_the_document_or_the_agent_refuses(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    # The document's pattern states these (400); tests/gateway/files/test_files_hostile.py
    # has every shape on every route.
    for path in ("a%0Ab", "x" * 4097, "../bob/x", "/etc/shadow", "a//b"):
        status, problem = await api.call("GET", f"/api/v1/files/text?path={path}", alice)
        assert status == 400, path
        assert problem["errors"][0]["field"] == "path"
    # Bytes rather than characters only the rule states (422).
    status, problem = await api.call("GET", f"/api/v1/files/text?path={'x' * 256}", alice)
    assert status == 422
    assert problem["errors"][0]["field"] == "path"
    status, problem = await put(api, alice, "../x", b"x")
    assert status == 400
    assert problem["errors"][0]["field"] == "path"
    for mode in ("4755", "1777", "0800", "777a"):
        status, _ = await api.call(
            "POST", "/api/v1/files/mode", alice, json={"path": "a", "mode": mode}
        )
        assert status == 400, mode
    status, _ = await api.call(
        "POST", "/api/v1/files/move", alice, json={"path": "a", "destination": "a/b"}
    )
    assert status in (404, 422)
    status, _ = await put_text(api, alice, "big.txt", b"a" * (2 * 1024 * 1024 + 1))
    assert status == 413
    status, problem = await put_text(api, alice, "bin.txt", b"\xff\xfe")
    assert status == 422
    assert problem["errors"][0]["field"] == "body"
    status, _ = await put_text(api, alice, "max.txt", b"a" * 2 * 1024 * 1024)
    assert status == 200
    assert len(api.files.homes["alice"]["max.txt"] or b"") == 2 * 1024 * 1024
