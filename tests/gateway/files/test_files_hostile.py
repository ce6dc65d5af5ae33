"""Each hostile path shape on each file manager route is refused by the gateway before the
agent hears of it (400 where the OpenAPI document's pattern forbids it, 422 where only the
rule jopanel_rules.files can say it), names the field, starts no job and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.gateway.conftest import Api

# (value, status): what a tenant could send where a path goes.
SHAPES: list[tuple[str, int]] = [
    ("../bob/x", 400),  # another tenant's home
    ("a/../../bob", 400),
    ("..", 400),
    (".", 400),
    ("a/./b", 400),
    ("/etc/shadow", 400),  # absolute
    ("a//b", 400),  # an empty segment
    ("a/", 400),
    ("a\x00b", 400),  # NUL
    ("a\nb", 400),  # a control character (a forged audit line)
    ("a\x1b[2Jb", 400),
    ("a\u009bb", 400),  # a C1 control (CSI)
    ("x" * 4097, 400),  # longer than the document's maxLength
    ("x" * 10_000, 400),
    ("é" * 2049, 422),  # 2049 characters the pattern takes, 4098 bytes the rule refuses
    ("a/" + "x" * 256, 422),  # a segment of 256 bytes
    ("a/" + "é" * 128, 422),  # 128 characters, 256 bytes
    (".jopanel-upload-0123", 422),  # the helper's own working files
    ("site/.jopanel-edit-x", 422),
]
# The neighbours of a valid path that must still pass: a name just inside each bound.
VALID = ["...", ".a", "..a", "a..", "x" * 255, "é" * 127, ".jopanel", "a b", "a b/c"]

Request = Callable[[str], tuple[str, str, dict[str, Any]]]


def query(method: str, url: str, field: str = "path", **extra: str) -> Request:
    return lambda value: (method, url, {"params": {field: value, **extra}})


def body(url: str, field: str, **fields: Any) -> Request:
    return lambda value: ("POST", url, {"json": {**fields, field: value}})


# Every route and every path field it has; each request valid but for that field.
ROUTES: list[tuple[str, Request, bool]] = [
    ("path", query("GET", "/api/v1/files"), True),
    ("path", query("DELETE", "/api/v1/files"), False),
    ("path", query("GET", "/api/v1/files/content"), False),
    ("path", query("PUT", "/api/v1/files/content", size="1"), False),
    ("path", query("GET", "/api/v1/files/upload"), False),
    ("path", query("GET", "/api/v1/files/text"), False),
    ("path", query("PUT", "/api/v1/files/text"), False),
    ("path", body("/api/v1/files/folders", "path"), False),
    ("path", body("/api/v1/files/move", "path", destination="b"), False),
    ("destination", body("/api/v1/files/move", "destination", path="a"), False),
    ("path", body("/api/v1/files/copy", "path", destination="b"), False),
    ("destination", body("/api/v1/files/copy", "destination", path="a"), False),
    ("path", body("/api/v1/files/mode", "path", mode="0644"), False),
    (
        "folder",
        body("/api/v1/files/archive", "folder", names=["a"], destination="a.zip", format="zip"),
        True,
    ),
    (
        "destination",
        body("/api/v1/files/archive", "destination", names=["a"], format="zip"),
        False,
    ),
    ("path", body("/api/v1/files/extract", "path", format="zip"), False),
    ("destination", body("/api/v1/files/extract", "destination", path="a.zip"), True),
]


async def refused(api: Api, token: str, request: tuple[str, str, dict[str, Any]]) -> Any:
    method, url, kwargs = request
    if method == "PUT":
        kwargs["data"] = b"x"
    return await api.call(method, url, token, **kwargs)


async def nothing_started(api: Api, admin: str) -> None:
    assert api.files.arrived == []
    status, jobs = await api.call("GET", "/api/v1/jobs", admin)
    assert status == 200
    assert jobs["items"] == []


@pytest.mark.parametrize(("field", "request_of", "home"), ROUTES)
async def test_each_hostile_path_is_refused_before_the_agent(
    api: Api, admin: str, field: str, request_of: Request, home: bool
) -> None:
    alice = await api.owner(admin)
    shapes = SHAPES if home else [*SHAPES, ("", 400)]
    for value, expected in shapes:
        status, problem = await refused(api, alice, request_of(value))
        assert status == expected, (value[:20], status, problem)
        assert problem["errors"][0]["field"] == field, (value[:20], problem)
    await nothing_started(api, admin)
    assert api.files.homes.get("alice", {}) == {}


async def test_a_missing_path_is_400_naming_it(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for method, url, kwargs in (
        ("GET", "/api/v1/files/text", {}),
        ("POST", "/api/v1/files/extract", {"json": {"format": "zip"}}),
        ("POST", "/api/v1/files/archive", {"json": {"names": ["a"], "format": "zip"}}),
        ("POST", "/api/v1/files/move", {"json": {"path": "a"}}),
    ):
        status, problem = await api.call(method, url, alice, **kwargs)
        assert status == 400, (url, problem)
        fields = {error["field"] for error in problem["errors"]}
        assert fields & {"path", "destination"}, problem
    await nothing_started(api, admin)


async def test_archive_names_are_checked_one_by_one(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for names, status_wanted, field in (
        (["a", "../b"], 400, "names.1"),
        (["a/b"], 400, "names.0"),
        (["x" * 256], 400, "names.0"),
        (["é" * 128], 422, "names.0"),
        ([".jopanel-archive-1"], 422, "names.0"),
        ([], 400, "names"),
        (["a"] * 1001, 400, "names"),
        (["a", "b", "a"], 422, "names"),
    ):
        status, problem = await api.call(
            "POST",
            "/api/v1/files/archive",
            alice,
            json={"names": names, "destination": "a.zip", "format": "zip"},
        )
        assert status == status_wanted, (names[:3], problem)
        assert problem["errors"][0]["field"] == field, problem
    await nothing_started(api, admin)


async def test_a_move_or_copy_into_itself_is_422_before_the_agent(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for url in ("/api/v1/files/move", "/api/v1/files/copy"):
        for destination in ("site", "site/inner", "site/a/b"):
            status, problem = await api.call(
                "POST", url, alice, json={"path": "site", "destination": destination}
            )
            assert status == 422, (url, destination, problem)
            assert problem["errors"][0]["field"] == "destination"
    await nothing_started(api, admin)
    # A name that only starts like the source is somewhere else: it reaches the agent.
    status, _ = await api.call(
        "POST", "/api/v1/files/move", alice, json={"path": "site", "destination": "site2"}
    )
    assert status == 404  # the fake home holds no `site`
    assert api.files.arrived == ["alice"]


async def test_paths_just_inside_the_rules_reach_the_agent(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    for value in VALID:
        status, problem = await api.call(
            "POST", "/api/v1/files/folders", alice, json={"path": value}
        )
        assert status == 201, (value, problem)
    assert set(api.files.homes["alice"]) == set(VALID)


async def test_an_upload_larger_than_the_whole_quota_is_refused_before_a_byte(
    api: Api, admin: str
) -> None:
    status, _ = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "small", "disk_quota_mb": 1}
    )
    assert status == 201
    alice = await api.owner(admin, plan="small")
    status, problem = await api.call(
        "PUT",
        "/api/v1/files/content",
        alice,
        params={"path": "big.bin", "size": str(1024 * 1024 + 1)},
        data=b"x" * 10,
    )
    assert status == 422, problem
    assert problem["errors"][0]["field"] == "size"
    assert api.files.arrived == []
    # At the quota exactly, the agent (and the kernel) decide.
    status, state = await api.call(
        "PUT",
        "/api/v1/files/content",
        alice,
        params={"path": "big.bin", "size": str(1024 * 1024)},
        data=b"x" * 10,
    )
    assert (status, state["received"], state["complete"]) == (200, 10, False)


async def test_a_range_past_the_end_is_416_and_a_huge_one_is_ignored(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    api.files.homes["alice"] = {"a.bin": b"0123456789"}
    headers = {"Authorization": f"Bearer {alice}"}
    for start in ("11", "999999999999999"):
        response = await api.client.get(
            "/api/v1/files/content",
            params={"path": "a.bin"},
            headers={**headers, "Range": f"bytes={start}-"},
        )
        assert response.status == 416
        assert (await response.json())["status"] == 416
    # 16 digits or a negative start are no range this server reads: the whole file.
    for value in ("bytes=9999999999999999-", "bytes=-5", "bytes=0-1,3-4"):
        response = await api.client.get(
            "/api/v1/files/content",
            params={"path": "a.bin"},
            headers={**headers, "Range": value},
        )
        assert response.status == 200, value
        assert await response.read() == b"0123456789"
    response = await api.client.get(
        "/api/v1/files/content", params={"path": "a.bin"}, headers={**headers, "Range": "bytes=10-"}
    )
    assert (response.status, await response.read()) == (206, b"")


async def test_a_forged_page_token_or_page_size_is_refused_before_the_agent(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    for params, wanted in (
        ({"page_token": "A" * 404}, 422),  # base64 of 303 bytes: longer than a name
        ({"page_token": "YS9i"}, 422),  # "a/b": no name holds '/'
        ({"page_token": "AA"}, 422),  # NUL
        ({"page_token": "/w"}, 400),  # not base64url
        ({"page_token": "A" * 513}, 400),
        ({"limit": "201"}, 400),
        ({"limit": "0"}, 400),
        ({"limit": "-1"}, 400),
        ({"limit": "9" * 30}, 400),
    ):
        status, problem = await api.call("GET", "/api/v1/files", alice, params=params)
        assert status == wanted, (params, problem)
        assert problem["errors"][0]["field"] == next(iter(params)), problem
    assert api.files.arrived == []


async def test_a_lone_surrogate_in_a_json_path_never_reaches_the_agent(
    api: Api, admin: str
) -> None:
    alice = await api.owner(admin)
    status, problem = await api.call(
        "POST",
        "/api/v1/files/folders",
        alice,
        data=b'{"path": "a\\ud800b"}',
        headers={"Content-Type": "application/json"},
    )
    # JSON with a lone surrogate is no JSON the gateway reads (and no UTF-8 the rule takes).
    assert status == 400, problem
    assert problem["errors"][0]["field"] == "body"
    await nothing_started(api, admin)
