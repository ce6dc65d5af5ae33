"""Helpers for the agent's web tests: requests to nginx, domain specs, hostile values."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import os
import pwd
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.system.web.php_fpm import SHARD_SIZE

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub

HOSTILE_HOSTNAMES = [
    "", "com", "example.com\n", "exa\nmple.com", "example.com\r", "example.com\x00",
    "example.com;", "a;b.example.com", "ex{ample.com", "example.com}", "$host.example.com",
    "ex$ample.com", 'ex"ample.com', "ex'ample.com", "ex\\ample.com", "ex ample.com",
    " example.com", "example.com\t", "..", "a..b.com", "../etc", "../../etc/passwd",
    "example.com/x", "*.example.com", "example.com:80", "_dmarc.example.com", "-a.example.com",
    "a-.example.com", "a" * 64 + ".com", ".".join(["a" * 63] * 4) + ".com", "Example.com",
    "EXAMPLE.COM", "example.com.", "bücher.de", "пример.рф", "example\u200b.com",
    "\uff45xample.com", "127.0.0.1", "1.2.3.4", "xn--.com", "xn--a.com",
]  # fmt: skip

HOSTILE_URLS = [
    "", "https://example.com/\n", "https://example.com/;return 200 x", "https://example.com/{",
    "https://example.com/}", "https://example.com/$host", 'https://example.com/"',
    "https://example.com/'", "https://example.com/ x", "https://example.com/\\", "HTTPS://example.com/",
    "https://Example.com/", "https://example.com./", "https://bücher.de/", "https://example.com/ü",
    "javascript:alert(1)", "ftp://example.com/", "//example.com/", "example.com",
    "https://user@example.com/", "https://user:pw@example.com/", "https://example.com:99999/",
    "https://example.com:0/", "https://..com/", "https:///x", "https://example.com/%zz",
    "https://example.com/\x7f", "https://[::1]/", "https://localhost/",
    "https://example.com/" + "a" * 2048,
]  # fmt: skip

NOT_SERVED = "No website is configured for this name."


def spec(
    name: str, account: str, *, aliases: tuple[str, ...] = (), **fields: Any
) -> web_pb2.WebDomain:
    """A WebDomain, static unless a backend is given (php=..., proxy=..., redirect=...)."""
    domain = web_pb2.WebDomain(name=name, account=account, aliases=aliases, **fields)
    if domain.WhichOneof("backend") is None:
        domain.static.SetInParent()  # an empty message passed as a keyword does not set it
    return domain


async def create(web: Stub, domain: web_pb2.WebDomain) -> web_pb2.WebDomain:
    return (await web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=domain))).domain


def docroot(account: str, name: str) -> Path:
    return Path(f"/home/{account}/web/{name}/public_html")


def pool_file(account: str, version: str = "8.2") -> Path:
    """Where the account's pool of that version lives: its uid's shard (php_fpm.SHARD_SIZE)."""
    shard = pwd.getpwnam(account).pw_uid // SHARD_SIZE
    return Path(f"/etc/php/{version}/fpm/jopanel/{shard}/pool.d/jopanel-{account}.conf")


def write_as(account: str, path: Path, text: str) -> None:
    """A file the account made (owner and group of the account), appearing at its name
    already the account's: the agent's readers run in threads and may look at any instant, and
    a file made by root then given away would be, for that instant, root's (which they refuse)."""
    user = pwd.getpwnam(account)
    if path.exists():  # written in place, as the account's own process would (same inode)
        path.write_text(text)
        os.chown(path, user.pw_uid, user.pw_gid)
        return
    made = path.with_name(f".{path.name}.{os.getpid()}.made")
    made.write_text(text)
    os.chown(made, user.pw_uid, user.pw_gid)
    os.rename(made, path)


def plant_link(account: str, link: Path, target: Path) -> None:
    """A symlink the account made (the account owns the link)."""
    link.symlink_to(target)
    user = pwd.getpwnam(account)
    os.lchown(link, user.pw_uid, user.pw_gid)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lowercase names
    body: str


def fetch(port: int, host: str, path: str = "/") -> Response:
    """One GET to nginx on the loopback port with this Host header; redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        headers = {name.lower(): value for name, value in answer.getheaders()}
        return Response(answer.status, headers, answer.read().decode("utf-8", "replace"))
    finally:
        connection.close()


async def get(port: int, host: str, path: str = "/") -> Response:
    """fetch() off the event loop (the agent under test runs on it)."""
    return await asyncio.to_thread(fetch, port, host, path)


_GENERATION = re.compile(r"sites\.[0-9]+")


def tree_digest(root: Path) -> dict[str, str]:
    """Every entry under root (not following links): kind, mode, owner and content or target.

    Of nginx's site generations only the live one counts: the next one is linked, and the
    previous one removed, in the background after a change is answered (nginx.py,
    prepare_next), so they come and go between two looks; what must not change is what is
    live."""
    entries: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        live_link = Path(folder) / "sites"
        live = os.readlink(live_link) if live_link.is_symlink() else None
        dirs[:] = [d for d in dirs if not (_GENERATION.fullmatch(d) and d != live)]
        for name in [*dirs, *files]:
            path = Path(folder) / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                what = f"link {os.readlink(path)}"
            elif stat.S_ISREG(info.st_mode):
                what = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                what = "folder"
            owner = f"{info.st_mode:o} {info.st_uid}:{info.st_gid}"
            entries[str(path.relative_to(root))] = f"{owner} {what}"
    return entries


async def logged(path: Path, text: str, within: float = 10.0) -> str:
    """The file's content once it holds `text`. nginx writes its access log line after the
    answer is sent, so a client may read the answer before the line exists: this waits for
    that write (a condition, with a deadline), never for a fixed time."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        content = path.read_text() if path.exists() else ""
        if text in content:
            return content
        assert asyncio.get_running_loop().time() < deadline, f"{text!r} never reached {path}"
        await asyncio.sleep(0.02)
