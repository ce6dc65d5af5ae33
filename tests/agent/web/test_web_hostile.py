"""Hostile requests and planted links against WebDomainService (sandbox only).

Hostile values must be INVALID_ARGUMENT naming their field, with every file under /etc/nginx
byte for byte as it was. Links an account plants in its own tree must never make the agent
create, change or remove anything outside that tree, nor make nginx serve another account's
files.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import pytest
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from tests.agent.support import field_errors, rpc_error
from tests.agent.web.web_support import (
    HOSTILE_HOSTNAMES,
    HOSTILE_URLS,
    create,
    docroot,
    get,
    plant_link,
    spec,
    tree_digest,
    write_as,
)

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub
    AccountStub: TypeAlias = accounts_pb2_grpc.AccountServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")

NGINX = Path("/etc/nginx")


@pytest.fixture
def nginx_unchanged() -> Iterator[None]:
    before = tree_digest(NGINX)
    yield
    assert tree_digest(NGINX) == before


async def refused(call: Awaitable[object], field: str) -> None:
    """INVALID_ARGUMENT with `field` (the request's path) as its one field violation."""
    assert [path for path, _ in await field_errors(call)] == [field]


def create_request(domain: web_pb2.WebDomain) -> web_pb2.CreateWebDomainRequest:
    return web_pb2.CreateWebDomainRequest(domain=domain)


@pytest.mark.usefixtures("nginx_unchanged")
@pytest.mark.parametrize("value", HOSTILE_HOSTNAMES)
async def test_hostile_names_are_refused(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], value: str
) -> None:
    await refused(web.CreateWebDomain(create_request(spec(value, account.name))), "domain.name")
    aliased = spec(new_domain(), account.name, aliases=(new_domain(), value))
    await refused(web.CreateWebDomain(create_request(aliased)), "domain.aliases[1]")
    await refused(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=value)), "name")
    await refused(web.SuspendWebDomain(web_pb2.SuspendWebDomainRequest(name=value)), "name")
    await refused(web.UnsuspendWebDomain(web_pb2.UnsuspendWebDomainRequest(name=value)), "name")
    delete = web_pb2.DeleteWebDomainRequest(name=value, delete_files=True)
    await refused(web.DeleteWebDomain(delete), "name")
    update = web_pb2.UpdateWebDomainRequest(domain=spec(new_domain(), "", aliases=(value,)))
    update.update_mask.paths.append("aliases")
    await refused(web.UpdateWebDomain(update), "domain.aliases[0]")


@pytest.mark.usefixtures("nginx_unchanged")
@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("preserve_path", [False, True])
async def test_hostile_redirect_urls_are_refused(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    url: str,
    preserve_path: bool,
) -> None:
    redirect = web_pb2.RedirectBackend(
        url=url, code=web_pb2.REDIRECT_CODE_PERMANENT, preserve_path=preserve_path
    )
    domain = spec(new_domain(), account.name, redirect=redirect)
    await refused(web.CreateWebDomain(create_request(domain)), "domain.redirect.url")


@pytest.mark.usefixtures("nginx_unchanged")
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"proxy": web_pb2.ProxyBackend(port=0)}, "domain.proxy.port"),
        ({"proxy": web_pb2.ProxyBackend(port=80)}, "domain.proxy.port"),
        ({"proxy": web_pb2.ProxyBackend(port=1023)}, "domain.proxy.port"),
        ({"proxy": web_pb2.ProxyBackend(port=65536)}, "domain.proxy.port"),
        ({"proxy": web_pb2.ProxyBackend(port=2**32 - 1)}, "domain.proxy.port"),
        ({"php": web_pb2.PhpBackend(version="7.4")}, "domain.php.version"),
        ({"php": web_pb2.PhpBackend(version="8.2;")}, "domain.php.version"),
        ({"php": web_pb2.PhpBackend(version="../8.2")}, "domain.php.version"),
        ({"php": web_pb2.PhpBackend(version="")}, "domain.php.version"),
        (
            {"redirect": web_pb2.RedirectBackend(url="https://example.org/")},
            "domain.redirect.code",
        ),
        (
            {
                "redirect": web_pb2.RedirectBackend(
                    url="https://example.org/", code=web_pb2.RedirectCode.ValueType(7)
                )
            },
            "domain.redirect.code",
        ),
        (
            {
                "redirect": web_pb2.RedirectBackend(
                    url="https://example.org/?a=b",
                    code=web_pb2.REDIRECT_CODE_TEMPORARY,
                    preserve_path=True,
                )
            },
            "domain.redirect.url",
        ),
    ],
)
async def test_bad_backends_are_refused(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    fields: dict[str, Any],
    field: str,
) -> None:
    domain = spec(new_domain(), account.name, **fields)
    await refused(web.CreateWebDomain(create_request(domain)), field)


@pytest.mark.usefixtures("nginx_unchanged")
async def test_bad_alias_lists_and_a_missing_backend_are_refused(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str]
) -> None:
    name, alias = new_domain(), new_domain()
    for aliases in [(alias, alias), (name,), tuple(new_domain() for _ in range(51))]:
        domain = spec(name, account.name, aliases=aliases)
        await refused(web.CreateWebDomain(create_request(domain)), "domain.aliases")
    bare = web_pb2.WebDomain(name=name, account=account.name)
    await refused(web.CreateWebDomain(create_request(bare)), "domain.backend")
    for hostile in ["", "root", "www-data", "a;id", "../x", "Alice"]:
        await refused(web.CreateWebDomain(create_request(spec(name, hostile))), "domain.account")
    listing = web_pb2.ListWebDomainsRequest(account="a;b")
    await refused(web.ListWebDomains(listing), "account")
    listing = web_pb2.ListWebDomainsRequest(page_token="Li4vZXRj")  # "../etc"
    await refused(web.ListWebDomains(listing), "page_token")


@pytest.fixture
def other_account(
    accounts: AccountStub, new_name: Callable[[], str]
) -> Callable[[], Awaitable[accounts_pb2.Account]]:
    async def make() -> accounts_pb2.Account:
        request = accounts_pb2.CreateAccountRequest(name=new_name(), shell=accounts_pb2.SHELL_BASH)
        return (await accounts.CreateAccount(request)).account

    return make


async def test_a_link_to_another_accounts_file_is_not_served(
    web: Stub,
    account: accounts_pb2.Account,
    other_account: Callable[[], Awaitable[accounts_pb2.Account]],
    new_domain: Callable[[], str],
    web_port: int,
) -> None:
    victim = await other_account()
    theirs, mine = new_domain(), new_domain()
    await create(web, spec(theirs, victim.name))
    await create(web, spec(mine, account.name))
    secret = docroot(victim.name, theirs) / "secret.txt"
    write_as(victim.name, secret, "the victim's secret")
    write_as(account.name, docroot(account.name, mine) / "own.txt", "my own file")

    plant_link(account.name, docroot(account.name, mine) / "stolen.txt", secret)
    plant_link(account.name, docroot(account.name, mine) / "alias.txt", Path("own.txt"))

    assert (await get(web_port, theirs, "/secret.txt")).body == "the victim's secret"
    stolen = await get(web_port, mine, "/stolen.txt")
    # try_files sees the refused link as no file at all.
    assert stolen.status == 404
    assert "secret" not in stolen.body
    # A link to one's own file is fine: the rule is ownership, not links as such.
    assert (await get(web_port, mine, "/alias.txt")).body == "my own file"


def write_deep(account: str, root: Path, path: str, text: str) -> None:
    """A file the account made below its document root, with the folders on the way."""
    user = pwd.getpwnam(account)
    folder = root
    for part in Path(path.lstrip("/")).parent.parts:
        folder /= part
        folder.mkdir(exist_ok=True)
        os.chown(folder, user.pw_uid, user.pw_gid)
    write_as(account, folder / Path(path).name, text)


@pytest.mark.parametrize("kind", ["static", "php"])
async def test_dot_files_are_never_served_and_the_rest_of_well_known_is(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    kind: str,
) -> None:
    """.git, .env and .htpasswd anywhere in the tree are not found; /.well-known/ (other than
    the panel's ACME challenges) is the site's own."""
    name = new_domain()
    backend: dict[str, Any] = {"php": web_pb2.PhpBackend(version="8.2")} if kind == "php" else {}
    await create(web, spec(name, account.name, **backend))
    root = docroot(account.name, name)
    secrets = {"/.git/config": "[core] secret", "/.env": "DB_PASSWORD=secret"}
    secrets |= {"/shop/.htpasswd": "admin:secret", "/.hidden.php": "<?php echo 'secret';"}
    for path, text in {**secrets, "/.well-known/security.txt": "Contact: a@example.com"}.items():
        write_deep(account.name, root, path, text)

    for path in secrets:
        answer = await get(web_port, name, path)
        assert (answer.status, "secret" in answer.body) == (404, False), path
    assert (await get(web_port, name, "/.well-known/security.txt")).body == "Contact: a@example.com"
    # Not the site's file, even when one by that name was planted in its tree.
    write_deep(account.name, root, "/.well-known/acme-challenge/planted", "the site's own")
    assert (await get(web_port, name, "/.well-known/acme-challenge/planted")).status == 404


PATHS = """<?php
header('Content-Type: application/json');
$names = ['SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_INFO', 'PHP_SELF', 'REQUEST_URI'];
echo json_encode(array_combine($names, array_map(fn($n) => $_SERVER[$n] ?? null, $names)));
"""


async def test_php_runs_only_scripts_that_exist_with_their_path_info(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    """A front controller gets the path after its name as PATH_INFO; a path that names an
    upload (or any file not ending in .php) before ".php" runs nothing; a path that names no
    file goes to the site's index.php."""
    name = new_domain()
    await create(web, spec(name, account.name, php=web_pb2.PhpBackend(version="8.2")))
    root = docroot(account.name, name)
    for path in ("/index.php", "/shop/app.php"):
        write_deep(account.name, root, path, PATHS)
    write_deep(account.name, root, "/upload.jpg", "<?php echo 'ran the upload';")
    write_deep(account.name, root, "/shop/x.php.txt", "<?php echo 'ran the text';")

    async def seen(path: str) -> dict[str, str]:
        answer = await get(web_port, name, path)
        assert answer.status == 200, (path, answer.body)
        found: dict[str, str] = json.loads(answer.body)
        return found

    def script(path: str, info: str, uri: str) -> dict[str, str]:
        return {
            "SCRIPT_NAME": path,
            "SCRIPT_FILENAME": f"{root}{path}",
            "PATH_INFO": info,
            "PHP_SELF": path + info,
            "REQUEST_URI": uri,
        }

    assert await seen("/index.php") == script("/index.php", "", "/index.php")
    assert await seen("/index.php/blog/2026/post") == script(
        "/index.php", "/blog/2026/post", "/index.php/blog/2026/post"
    )
    assert await seen("/shop/app.php/x/y.php?a=1") == script(
        "/shop/app.php", "/x/y.php", "/shop/app.php/x/y.php?a=1"
    )
    # No such file: the site's front controller, with the whole request.
    assert await seen("/blog/post?a=1") == script("/index.php", "", "/blog/post?a=1")
    assert await seen("/index.php%0a/x.php") == script("/index.php", "", "/index.php%0a/x.php")
    # Before ".php" a file that is no script: never handed to PHP.
    for path in ("/upload.jpg/x.php", "/upload.jpg/.php", "/shop/x.php.txt/y.php", "/none.php/x"):
        answer = await get(web_port, name, path)
        assert answer.status == 404, path
        assert "ran" not in answer.body, path
    # The upload itself is a file like any other, sent as it is.
    assert (await get(web_port, name, "/upload.jpg")).body == "<?php echo 'ran the upload';"


@pytest.fixture
def canary() -> Iterator[Path]:
    """A root-owned folder outside every account's tree, with content that must not change."""
    folder = Path(f"/etc/jp-canary-{uuid.uuid4().hex[:8]}")
    folder.mkdir(mode=0o755)
    (folder / "keep.txt").write_text("keep me\n")
    yield folder
    shutil.rmtree(folder)


@pytest.mark.parametrize("planted", ["web", "site", "public_html"])
async def test_links_planted_before_create_are_not_followed(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    canary: Path,
    planted: str,
) -> None:
    name = new_domain()
    web_dir = Path(f"/home/{account.name}/web")
    links = {
        "web": web_dir,
        "site": web_dir / name,
        "public_html": web_dir / name / "public_html",
    }
    link = links[planted]
    user = pwd.getpwnam(account.name)
    for folder in [web_dir, web_dir / name]:
        if folder in link.parents:
            folder.mkdir(exist_ok=True)
            os.chown(folder, user.pw_uid, user.pw_gid)
    plant_link(account.name, link, canary)
    before = tree_digest(canary)
    live = tree_digest(NGINX / "jopanel" / "sites")

    code, message = await rpc_error(web.CreateWebDomain(create_request(spec(name, account.name))))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert str(link) in message
    assert tree_digest(canary) == before
    assert os.stat(canary).st_uid == 0
    assert tree_digest(NGINX / "jopanel" / "sites") == live
    assert not Path(f"/var/log/jopanel/web/{name}").exists()


@pytest.mark.parametrize("planted", ["site", "public_html"])
async def test_links_planted_before_delete_are_removed_not_followed(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    canary: Path,
    planted: str,
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name))
    site = Path(f"/home/{account.name}/web/{name}")
    link = site if planted == "site" else site / "public_html"
    link.rename(link.with_name("moved-away"))
    plant_link(account.name, link, canary)
    before = tree_digest(canary)

    request = web_pb2.DeleteWebDomainRequest(name=name, delete_files=True)
    await web.DeleteWebDomain(request)
    assert tree_digest(canary) == before
    assert not os.path.lexists(link)
    code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name)))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_a_linked_web_folder_stops_delete_files_before_anything_changes(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], canary: Path
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name))
    web_dir = Path(f"/home/{account.name}/web")
    web_dir.rename(web_dir.with_name("web-moved"))
    # The link leads to a tree that holds a folder of the domain's name: it must survive.
    (canary / name / "public_html").mkdir(parents=True)
    (canary / name / "public_html" / "index.html").write_text("not the account's\n")
    plant_link(account.name, web_dir, canary)
    before = tree_digest(canary)

    request = web_pb2.DeleteWebDomainRequest(name=name, delete_files=True)
    code, message = await rpc_error(web.DeleteWebDomain(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert str(web_dir) in message
    assert tree_digest(canary) == before
    assert (await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))).domain.name == name

    # Without delete_files the configuration goes and the files stay.
    await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=name))
    assert tree_digest(canary) == before
