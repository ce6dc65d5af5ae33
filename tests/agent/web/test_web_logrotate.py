"""The sites' log rotation (agent/system/web/logrotate.py): rendered from the live sites with
each one's retention, checked by logrotate itself, and run for real in the sandbox: nginx
reopens (never restarts), PHP's logs rotate as their account, a planted link is not followed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pytest
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.system.web import logrotate
from agent.system.web.records import PhpBackend, Registry, Site, StaticBackend
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.web import PhpVersion
from tests.agent.web.test_web_backends import curl
from tests.agent.web.web_support import create, docroot, plant_link, spec, write_as

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub

ROTATION = logrotate.ROTATION_FILE


async def written(access: Path, marker: str) -> None:
    """No line is lost across a rotation: a worker whose descriptor is cached
    (open_log_file_cache, valid=1m) goes on writing into the renamed file, access.log.1, for
    up to a minute after nginx's USR1; delaycompress leaves that file as it is until the next
    rotation, so the line is there or in the new access.log."""
    rotated = access.with_name("access.log.1")
    deadline = asyncio.get_running_loop().time() + 10
    while not any(p.exists() and marker in p.read_text() for p in (access, rotated)):
        assert asyncio.get_running_loop().time() < deadline, f"{marker} was lost"
        await asyncio.sleep(0.02)


def site(name: str, account: str, days: int, *, php: bool = True) -> Site:
    backend = PhpBackend(PhpVersion("8.2")) if php else StaticBackend()
    return Site(Hostname(name), AccountName(account), (), backend, log_retention_days=days)


def test_each_site_keeps_its_logs_as_long_as_its_record_says() -> None:
    registry = Registry(
        [
            site("a.example.com", "alice", 14),
            site("b.example.com", "alice", 30, php=False),
            site("c.example.com", "bob", 14),
        ]
    )
    text = logrotate.render(registry, Path("/var/log/jopanel/web"), Path("/run/nginx.pid"))
    blocks = text.split("}\n")
    access14 = next(b for b in blocks if "a.example.com/access.log" in b)
    assert "/var/log/jopanel/web/c.example.com/access.log {" in access14
    assert "su www-data www-data" in access14
    assert "rotate 14" in access14
    assert 'kill -USR1 "$(cat /run/nginx.pid)"' in access14
    assert "rotate 30" in next(b for b in blocks if "b.example.com/access.log" in b)
    alice = next(b for b in blocks if "/home/alice/web/a.example.com/php-error.log" in b)
    assert "su alice alice" in alice
    assert "nocreate" in alice
    assert "bob" not in alice  # one block per account: each rotated as its own user
    assert "b.example.com/php-error.log" not in text  # not a PHP site


@pytest.mark.usefixtures("web_servers")
async def test_logs_rotate_for_real_and_nginx_only_reopens(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int,
    tmp_path: Path,
) -> None:  # fmt: skip
    name = new_domain()
    domain = spec(name, account.name, php=web_pb2.PhpBackend(version="8.2"))
    domain.log_retention_days = 2
    assert (await create(web, domain)).log_retention_days == 2
    write_as(account.name, docroot(account.name, name) / "warn.php", "<?php trigger_error('w');")
    text = ROTATION.read_text()
    assert f"/var/log/jopanel/web/{name}/access.log" in text
    assert f"/home/{account.name}/web/{name}/php-error.log" in text
    checked = subprocess.run(["logrotate", "-d", str(ROTATION)], capture_output=True, text=True)
    assert_no_error_of_its_own(checked.stderr, name)

    master = Path("/run/nginx.pid").read_text().strip()
    access = Path(f"/var/log/jopanel/web/{name}/access.log")
    php_log = Path(f"/home/{account.name}/web/{name}/php-error.log")
    state = tmp_path / "state"
    for round_ in range(4):
        marker = f"/round-{round_}-{uuid.uuid4().hex}"
        assert (await curl(web_port, name, "/warn.php"))[0] == 200
        assert (await curl(web_port, name, marker))[0] == 404
        await written(access, marker)
        argv = ["logrotate", "-f", "-s", str(state), str(ROTATION)]
        done = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True)
        assert_no_error_of_its_own(done.stderr, name)
    # Kept as the record says: two rotated generations, the older compressed.
    rotated = sorted(p.name for p in access.parent.iterdir() if p.name != "access.log")
    assert rotated == ["access.log.1", "access.log.2.gz"]
    assert sorted(p.name for p in php_log.parent.glob("php-error.log.*")) == [
        "php-error.log.1",
        "php-error.log.2.gz",
    ]
    assert os.stat(php_log.with_name("php-error.log.1")).st_uid == account.uid
    assert Path("/run/nginx.pid").read_text().strip() == master  # reopened, not restarted
    marker = f"/after-{uuid.uuid4().hex}"
    await curl(web_port, name, marker)
    await written(access, marker)


def assert_no_error_of_its_own(stderr: str, name: str) -> None:
    """The configuration parses and nothing of site `name` is in error. Other tests' tenants
    leave hostile homes behind (a site folder made a file, a folder mode 000): logrotate
    reports those logs, exits 1 and goes on with the rest, as it would on a server."""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    parsing = f"error: {ROTATION}:"  # how logrotate names a line of its configuration
    assert all(not e.startswith(parsing) and name not in e for e in errors), stderr


@pytest.mark.usefixtures("web_servers")
async def test_a_link_planted_for_the_php_log_is_not_followed(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], tmp_path: Path
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version="8.2")))
    shadow = Path("/etc/shadow")
    before = shadow.read_bytes(), shadow.stat().st_mode, shadow.stat().st_uid
    plant_link(account.name, Path(f"/home/{account.name}/web/{name}/php-error.log"), shadow)
    argv = ["logrotate", "-f", "-s", str(tmp_path / "state"), str(ROTATION)]
    await asyncio.to_thread(subprocess.run, argv, capture_output=True)
    assert (shadow.read_bytes(), shadow.stat().st_mode, shadow.stat().st_uid) == before
    for entry in Path(f"/home/{account.name}/web/{name}").iterdir():
        if entry.is_file() and not entry.is_symlink():
            assert b"root:" not in entry.read_bytes()
