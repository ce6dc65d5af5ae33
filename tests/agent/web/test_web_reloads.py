"""Staging, `nginx -t`, coalesced reloads and descriptors, with real nginx (sandbox only)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import grpc
import pytest
import stack
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2, web_pb2_grpc

from agent.config import DEFAULTS, AgentConfig
from agent.system.accounts.users import Users
from agent.system.web import domains as websites
from agent.system.web.nginx import NginxRejected, SiteTree
from agent.system.web.nginx_render import ALL_SETTINGS, Layout, render_site, render_support
from agent.system.web.records import RedirectBackend, Site
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname, hostname
from agent.validators.web import RedirectUrl
from tests.agent.support import rpc_error
from tests.agent.web.web_support import create, fetch, get, spec, tree_digest

if TYPE_CHECKING:
    Stub: TypeAlias = web_pb2_grpc.WebDomainServiceAsyncStub

pytestmark = pytest.mark.usefixtures("web_servers")

LIVE = Path("/etc/nginx/jopanel/sites")
RELOAD_LINE = "nginx reload #"


@pytest.fixture
def broken_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """A template bug that only nginx notices, in the sites whose name starts with "broken"."""

    def render(site: Site, layout: Layout, varied: Collection[str] = ALL_SETTINGS) -> str:
        text = render_site(site, layout, varied)
        if site.name.startswith("broken"):
            text = text.replace(
                "    disable_symlinks", "    bogus_directive on;\n    disable_symlinks"
            )
        return text

    monkeypatch.setattr(websites, "render_site", render)


def live_tree() -> tuple[str, dict[str, str]]:
    return os.readlink(LIVE), tree_digest(LIVE.resolve())


@pytest.mark.usefixtures("broken_template")
async def test_a_configuration_nginx_refuses_fails_and_changes_nothing(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    serving = new_domain()
    await create(web, spec(serving, account.name))
    before = live_tree()

    broken = f"broken-{new_domain()}"
    request = web_pb2.CreateWebDomainRequest(domain=spec(broken, account.name))
    code, message = await rpc_error(web.CreateWebDomain(request))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    assert message.startswith(
        'nginx refused the configuration: unknown directive "bogus_directive"'
    )
    assert f"({broken}.conf line " in message
    assert "/etc/nginx/jopanel" not in message
    assert live_tree() == before
    assert (await get(web_port, serving)).status == 200
    code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=broken)))
    assert code == grpc.StatusCode.NOT_FOUND


async def _create_together(
    web: Stub, account: accounts_pb2.Account, names: Sequence[str]
) -> list[web_pb2.CreateWebDomainResponse | BaseException]:
    """CreateWebDomain for each name at once, as concurrent clients send them: each answer, or
    its error."""
    calls = [
        web.CreateWebDomain(web_pb2.CreateWebDomainRequest(domain=spec(name, account.name)))
        for name in names
    ]
    return await asyncio.gather(*calls, return_exceptions=True)


async def _served(port: int, names: Sequence[str]) -> dict[str, int]:
    """The status each site answers with."""
    return {name: (await get(port, name)).status for name in names}


@pytest.mark.usefixtures("broken_template")
async def test_in_a_refused_batch_only_the_offending_change_fails(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    good = [new_domain(), new_domain()]
    broken = f"broken-{new_domain()}"
    results = await _create_together(web, account, (good[0], broken, good[1]))

    assert [
        r.domain.name for r in results if isinstance(r, web_pb2.CreateWebDomainResponse)
    ] == good
    failed = results[1]
    assert isinstance(failed, grpc.aio.AioRpcError)
    assert failed.code() == grpc.StatusCode.FAILED_PRECONDITION
    for name in good:
        assert (await get(web_port, name)).status == 200
    assert (await get(web_port, broken)).status == 404


@pytest.fixture
def clashing_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sites whose name starts with "clash" set a listen option: each passes nginx -t alone,
    two refuse together ("duplicate listen options"), so only a check of the whole set (or the
    master, at the reload) sees the conflict."""

    def render(site: Site, layout: Layout, varied: Collection[str] = ALL_SETTINGS) -> str:
        text = render_site(site, layout, varied)
        if site.name.startswith("clash"):
            text = re.sub(r"^(    listen [^ ;]+);$", r"\1 backlog=511;", text, flags=re.M)
        return text

    monkeypatch.setattr(websites, "render_site", render)


def nginx_workers() -> set[str]:
    master = Path("/run/nginx.pid").read_text().strip()
    return set(Path(f"/proc/{master}/task/{master}/children").read_text().split())


@pytest.mark.usefixtures("clashing_template")
async def test_a_conflict_only_the_master_sees_leaves_the_live_files_and_the_old_workers(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=websites.__name__)
    first = f"clash-{new_domain()}"
    await create(web, spec(first, account.name))
    try:
        before, workers = live_tree(), nginx_workers()
        second = f"clash-{new_domain()}"
        request = web_pb2.CreateWebDomainRequest(domain=spec(second, account.name))
        code, message = await rpc_error(web.CreateWebDomain(request))

        assert code == grpc.StatusCode.FAILED_PRECONDITION
        assert message.startswith("nginx refused the configuration: duplicate listen options")
        assert f"({second}.conf line " in message
        assert "/etc/nginx/jopanel" not in message
        # The change's own check passed; the master refused it, and kept its workers.
        refusals = [r.getMessage() for r in caplog.records if "master refused" in r.getMessage()]
        assert len(refusals) == 1, refusals
        assert live_tree() == before
        assert nginx_workers() == workers
        assert (await get(web_port, first)).status == 200
        assert (await get(web_port, second)).status == 404
        code, _ = await rpc_error(web.GetWebDomain(web_pb2.GetWebDomainRequest(name=second)))
        assert code == grpc.StatusCode.NOT_FOUND
    finally:
        await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=first))


@pytest.mark.usefixtures("clashing_template")
async def test_in_a_batch_the_master_refuses_only_the_conflicting_change_fails(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    first = f"clash-{new_domain()}"
    await create(web, spec(first, account.name))
    try:
        good = [new_domain(), new_domain()]
        second = f"clash-{new_domain()}"
        results = await _create_together(web, account, (good[0], second, good[1]))

        failed = results[1]
        assert isinstance(failed, grpc.aio.AioRpcError)
        assert failed.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "duplicate listen options" in (failed.details() or "")
        assert not isinstance(results[0], BaseException), results[0]
        assert not isinstance(results[2], BaseException), results[2]
        served = await _served(web_port, (*good, first, second))
        assert served == {good[0]: 200, good[1]: 200, first: 200, second: 404}, (good, first)
    finally:
        await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=first))


@pytest.mark.usefixtures("clashing_template")
async def test_a_batch_whose_last_change_is_refused_puts_the_others_live(
    web: Stub, account: accounts_pb2.Account, new_domain: Callable[[], str], web_port: int
) -> None:
    """The changes are checked one by one in their order; when the last one tried is refused,
    what goes live is the state before it, not the files of that last try (CI once saw the good
    change of such a batch fail with the other's reason)."""
    first = f"clash-{new_domain()}"
    await create(web, spec(first, account.name))
    try:
        # The worker starts on `busy` at once; `good` and `second` arrive while it works, so
        # they are the next batch, in that order.
        busy, good, second = new_domain(), new_domain(), f"clash-{new_domain()}"
        results = await _create_together(web, account, (busy, good, second))

        assert not isinstance(results[0], BaseException), results[0]
        assert not isinstance(results[1], BaseException), results[1]
        assert isinstance(results[2], grpc.aio.AioRpcError)
        assert results[2].code() == grpc.StatusCode.FAILED_PRECONDITION
        served = await _served(web_port, (busy, good, first, second))
        assert served == {busy: 200, good: 200, first: 200, second: 404}
    finally:
        await web.DeleteWebDomain(web_pb2.DeleteWebDomainRequest(name=first))


async def test_a_forged_emerg_line_in_the_error_log_does_not_refuse_a_reload(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Anyone can put text in nginx's error log (a worker logs a request's decoded path); a
    line that looks like the master's refusal, written right after the signal, changes
    nothing: only the master asleep again without new workers is a refusal."""
    kill = os.kill
    forged: list[int] = []

    master = int(Path("/run/nginx.pid").read_text())

    def signal_and_forge(pid: int, number: int) -> None:
        kill(pid, number)
        if (pid, number) == (master, signal.SIGHUP):
            with open(f"/proc/{pid}/fd/2", "ab") as log:
                log.write(b"2026/01/01 00:00:00 [emerg] %d#%d: forged refusal\n" % (pid, pid))
            forged.append(pid)

    monkeypatch.setattr(os, "kill", signal_and_forge)
    name = new_domain()
    await create(web, spec(name, account.name))

    assert forged
    answer = await get(web_port, name)
    assert (answer.status, f"<h1>{name}</h1>" in answer.body) == (200, True)


@pytest.fixture
def planted_in_live() -> Iterator[str]:
    """The name of a file by hand the test plants in the live generation; removed from every
    generation afterwards (a prepared next one links it too)."""
    name = "zz-by-hand.conf"
    yield name
    for folder in LIVE.parent.glob("sites.*"):
        (folder / name).unlink(missing_ok=True)


async def test_the_first_change_after_a_start_checks_the_whole_generation(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    agent_config: AgentConfig,
    planted_in_live: str,
) -> None:
    """A restarted agent does not know what nginx runs, so its first change reads every file,
    and a broken file nobody checked is named instead of reaching the master."""
    name = new_domain()
    await create(web, spec(name, account.name))
    planted = LIVE.resolve() / planted_in_live
    planted.write_text("bogus_by_hand on;\n")
    planted.chmod(0o640)  # as the agent keeps its files (a start restricts them)
    before = live_tree()
    # The session's agent links the next generation after answering; the restarted one would
    # link the same folder at once (bare Debian's make test met that: FileExistsError).
    await websites.web_domains(agent_config).settled()

    restarted = websites.WebDomains(agent_config, Users())
    with pytest.raises(NginxRejected) as refused:
        await restarted.set_log_retention(hostname(name), 30)

    assert 'unknown directive "bogus_by_hand"' in refused.value.message
    assert f"({planted_in_live} line 1)" in refused.value.message
    assert live_tree() == before


async def test_fifty_creates_at_once_share_a_few_reloads(
    web: Stub,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    web_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=websites.__name__)
    names = [new_domain() for _ in range(50)]
    requests = [web_pb2.CreateWebDomainRequest(domain=spec(n, account.name)) for n in names]

    await asyncio.gather(*(web.CreateWebDomain(request) for request in requests))

    reloads = [r for r in caplog.records if r.getMessage().startswith(RELOAD_LINE)]
    assert 1 <= len(reloads) <= 10, [r.getMessage() for r in reloads]
    for name in names:
        answer = await get(web_port, name)
        assert (answer.status, f"<h1>{name}</h1>" in answer.body) == (200, True)


SITES_UNDER_LIMIT = 320
FILE_LIMIT = 256


@pytest.fixture
def scratch_nginx(sandbox: Path) -> Iterator[Path]:
    """An nginx configuration root of its own, outside the live one."""
    folder = Path("/srv/jp-fd-test")
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "conf.d").mkdir(parents=True)
    shutil.copy("/etc/nginx/mime.types", folder)
    shutil.copy("/etc/nginx/fastcgi_params", folder)  # _http.conf includes it
    yield folder
    shutil.rmtree(folder)


def redirect_site(number: int) -> Site:
    url = RedirectUrl(f"https://target.example.org/{number}")
    return Site(
        name=Hostname(f"site{number}.example.com"),
        account=AccountName("fdtest"),
        aliases=(Hostname(f"www.site{number}.example.com"),),
        backend=RedirectBackend(url, 301, preserve_path=False),
    )


def main_config(folder: Path, include: Path) -> Path:
    path = folder / "nginx.conf"
    path.write_text(
        f"user www-data;\nerror_log stderr;\npid {folder}/nginx.pid;\nevents {{}}\n"
        f"http {{\n include {folder}/mime.types;\n include {include};\n}}\n"
    )
    return path


def under_limit(*argv: str) -> list[str]:
    return ["prlimit", f"--nofile={FILE_LIMIT}:{FILE_LIMIT}", "--", *argv]


async def test_hundreds_of_sites_need_no_descriptor_each(scratch_nginx: Path) -> None:
    port = stack.free_port()
    layout = Layout(
        scratch_nginx, (f"127.0.0.1:{port}",), Path("/var/log/jopanel/web"), Path("/run/php")
    )
    tree = SiteTree(layout, DEFAULTS.limits("web"))
    tree.ensure_layout()
    staging = tree.stage()
    sites = [redirect_site(number) for number in range(SITES_UNDER_LIMIT)]
    staging.write({site.filename: render_site(site, layout) for site in sites})
    staging.write(dict(render_support(layout)))
    await staging.check(whole=True)
    staging.publish()
    config = main_config(scratch_nginx, tree.include_file)

    argv = under_limit("nginx", "-c", str(config), "-g", "daemon off;")
    nginx = await asyncio.create_subprocess_exec(*argv)
    try:
        stack.wait_for("nginx", stack.tcp_ready(port), None, scratch_nginx / "none", timeout=20)
        answer = await asyncio.to_thread(fetch, port, "www.site299.example.com", "/")
        assert (answer.status, answer.headers["location"]) == (
            301,
            "https://target.example.org/299",
        )
        assert nginx.returncode is None
    finally:
        nginx.terminate()
        await nginx.wait()

    # The same sites with a log file each: the master opens them all and runs out.
    literal = scratch_nginx / "literal"
    literal.mkdir()
    for site in sites:
        text = render_site(site, layout).replace("$server_name", site.name)
        (literal / site.filename).write_text(text)
    (scratch_nginx / "logs").mkdir()
    for site in sites:
        (Path("/var/log/jopanel/web") / site.name).mkdir(parents=True, exist_ok=True)
    refused = subprocess.run(
        under_limit("nginx", "-t", "-c", str(main_config(scratch_nginx, literal / "*.conf"))),
        capture_output=True,
        text=True,
        check=False,
    )
    for site in sites:
        shutil.rmtree(Path("/var/log/jopanel/web") / site.name)
    assert refused.returncode != 0
    assert "Too many open files" in refused.stderr
