"""Links an account swaps into its own tree while an RPC works there (sandbox only).

Account A's own process (boundary_support.RACER, run as A) swaps a folder of its tree for a
link and back with renameat2(RENAME_EXCHANGE), in a tight loop, while the RPC runs: the check
and the use of every path in A's tree may see different things. The links aim at account B's
website. Whatever the race, B's tree stays as it was (content, owner, mode, ACL), the agent
answers with a status it means, and it keeps serving.
"""

from __future__ import annotations

import os
import pwd
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from jopanel.agent.accounts.v1 import accounts_pb2
from jopanel.agent.web.v1 import web_pb2

from agent.daemon import RunningAgent
from tests.agent.boundary_support import (
    Racer,
    Victim,
    below_home,
    chown_to,
    code_of,
    delete_request,
    layout,
    make_folders,
    php_version,
    serving,
    tree_state,
    update_request,
    victim,
)
from tests.agent.web.web_support import create, docroot, plant_link, spec

if TYPE_CHECKING:
    from tests.agent.boundary_support import Stub

__all__ = ["victim"]  # a fixture, used by name

pytestmark = pytest.mark.usefixtures("web_servers")

OK = grpc.StatusCode.OK
FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
DEADLINE_EXCEEDED = grpc.StatusCode.DEADLINE_EXCEEDED
# How long a racer may run: far longer than any of these RPCs takes.
RACE_SECONDS = 20.0
CREATES = 5  # Create is idempotent: each call walks the tree again, under the same race
ENTRIES = 100  # folders in a document root that delete_files must remove under a race
STALL_SECONDS = 1.0  # no RPC here blocks the agent's event loop for nearly as long


def stash_pairs(account: str, folders: list[Path], target: Path) -> list[tuple[Path, Path]]:
    """For each folder, a link of the account's to `target`, kept in its home to swap in."""
    home = Path("/home") / account
    pairs = []
    for index, folder in enumerate(folders):
        stash = home / f"stash-{index}"
        plant_link(account, stash, target)
        pairs.append((folder, stash))
    return pairs


@pytest.mark.parametrize("position", ["web", "web/D", "web/D/public_html"])
async def test_a_folder_swapped_for_a_link_during_create_is_never_followed(
    web: Stub,
    agent: RunningAgent,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
    position: str,
) -> None:
    name = new_domain()
    folder = layout(account.name, name, position)
    make_folders(account.name, *below_home(account.name, folder), folder)
    pairs = stash_pairs(account.name, [folder], victim.aim(position))
    before = tree_state(victim.home)
    request = web_pb2.CreateWebDomainRequest(domain=spec(name, account.name))

    with Racer(account.name, pairs, RACE_SECONDS):
        codes = {(await code_of(web.CreateWebDomain(request)))[0] for _ in range(CREATES)}
    assert codes <= {OK, FAILED_PRECONDITION}
    assert tree_state(victim.home) == before
    assert await serving(agent)


async def test_a_tmp_folder_swapped_for_a_link_during_update_is_never_followed(
    web: Stub,
    agent: RunningAgent,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name))
    tmp = Path("/home") / account.name / "tmp"
    make_folders(account.name, tmp)
    pairs = stash_pairs(account.name, [tmp], victim.home)
    before = tree_state(victim.home)
    php = spec(name, account.name, php=web_pb2.PhpBackend(version=await php_version(web)))

    with Racer(account.name, pairs, RACE_SECONDS):
        calls = [web.UpdateWebDomain(update_request(php, new_domain())) for _ in range(CREATES)]
        codes = {(await code_of(call))[0] for call in calls}
    assert codes <= {OK, FAILED_PRECONDITION}
    assert tree_state(victim.home) == before
    assert await serving(agent)


def racing_folders(account: str, public: Path) -> list[Path]:
    """ENTRIES folders of the account in its document root, in the order the agent meets them
    (directory order, as os.scandir reads it)."""
    make_folders(account, *[public / f"folder-{index:03}" for index in range(ENTRIES)])
    return [public / entry for entry in os.listdir(public) if entry.startswith("folder-")]


async def racing_delete(
    web: Stub, account: str, name: str, target: Path
) -> tuple[grpc.StatusCode, str]:
    """DeleteWebDomain(delete_files) while the account swaps each folder of its document root
    for a link to `target`."""
    folders = racing_folders(account, docroot(account, name))
    with Racer(account, stash_pairs(account, folders, target), RACE_SECONDS):
        return await code_of(web.DeleteWebDomain(delete_request(name)))


async def test_folders_swapped_for_links_during_delete_files_are_never_followed(
    web: Stub,
    agent: RunningAgent,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
) -> None:
    name = new_domain()
    await create(web, spec(name, account.name))
    before = tree_state(victim.home)
    code, message = await racing_delete(
        web, account.name, name, docroot(victim.name, victim.domain)
    )
    # INTERNAL is the known failure of test_delete_files_under_a_race_is_not_internal; what
    # this test holds is that nothing of the victim's changed.
    assert code in {OK, FAILED_PRECONDITION, grpc.StatusCode.INTERNAL}, message
    assert tree_state(victim.home) == before
    assert await serving(agent)


async def test_delete_files_under_a_race_is_not_internal(
    web: Stub,
    account: accounts_pb2.Account,
    victim: Victim,
    new_domain: Callable[[], str],
) -> None:
    """The consistency rule: a refused Delete changes nothing (and can be retried); a done one
    leaves no site served and nothing in the account's tree that the account cannot remove."""
    name = new_domain()
    await create(web, spec(name, account.name))
    code, message = await racing_delete(
        web, account.name, name, docroot(victim.name, victim.domain)
    )
    site = layout(account.name, name, "web/D")
    assert code in {OK, FAILED_PRECONDITION}, message
    if code == OK:
        # The folder is removed as the account, while the account keeps planting entries in it:
        # what the racer planted after rm passed may stay, but all of it is the account's own.
        with pytest.raises(grpc.aio.AioRpcError):
            await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))
        owners = {os.lstat(p).st_uid for p in _tree(site)}
        assert owners <= {account.uid}, owners
    else:
        assert (await web.GetWebDomain(web_pb2.GetWebDomainRequest(name=name))).domain.name


def _tree(root: Path) -> list[Path]:
    """Every entry under root without following links (root included when it exists)."""
    if not os.path.lexists(root):
        return []
    found = [root]
    if root.is_dir() and not root.is_symlink():
        for folder, dirs, files in os.walk(root):
            found += [Path(folder) / n for n in dirs + files]
    return found


class StallWatch:
    """Checks the agent's health from a thread of its own while the test's event loop (which
    is also the agent's) may be blocked. When a check times out, the watch opens the FIFO for
    writing, which ends an open(2) of it that blocks the agent. The agent was stalled by the
    FIFO only if that open found a reader waiting: a slow answer on a loaded machine (other
    work on the two cores, a reload in the same loop) is not the account's doing."""

    def __init__(self, agent: RunningAgent, fifo: Path) -> None:
        self._target = f"unix:{agent.socket_path}"
        self._fifo = fifo
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self.stalled = False

    def __enter__(self) -> StallWatch:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        with grpc.insecure_channel(self._target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while not self._stop.wait(0.05):
                try:
                    health.Check(health_pb2.HealthCheckRequest(), timeout=STALL_SECONDS)
                except grpc.RpcError as error:
                    if isinstance(error, grpc.Call) and error.code() == DEADLINE_EXCEEDED:
                        self.stalled |= self._release()

    def _release(self) -> bool:
        """Whether a reader was waiting on the FIFO (and is now let go)."""
        try:
            os.close(os.open(self._fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # ENXIO: nobody has it open for reading, so nothing waits on it
            return False
        return True


class WorstTiming:
    """Stands in for an account that wins the race every time. The racer above wins it now and
    then (about one delete in seven, measured); this wins it at once, deterministically: at the
    agent's first open(2) of an entry of `folder` through a descriptor of that folder, the
    entry is swapped for a link to the account's FIFO just before the open runs, as the
    account's own process could do at that instant. `followed` tells whether the agent got the
    FIFO itself from that open, i.e. opened, as root, whatever the account pointed it at."""

    def __init__(self, account: str, folder: Path, fifo: Path) -> None:
        self._account = account
        self._folder = str(folder)
        self._fifo = fifo
        self._open = os.open
        self.armed = True
        self.followed = False

    def open(self, path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if self.armed and dir_fd is not None and _fd_path(dir_fd) == self._folder:
            self.armed = False
            os.rename(path, f"{path}.aside", src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            os.symlink(self._fifo, path, dir_fd=dir_fd)
            user = pwd.getpwnam(self._account)
            os.chown(path, user.pw_uid, user.pw_gid, dir_fd=dir_fd, follow_symlinks=False)
        fd = self._open(path, flags, mode, dir_fd=dir_fd)
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            self.followed = True
        return fd


def _fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


async def test_a_link_swapped_in_during_delete_files_is_never_opened(
    web: Stub,
    agent: RunningAgent,
    account: accounts_pb2.Account,
    new_domain: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the account sees when it wins: its FIFO opened by root, and the agent not
    answering anyone (a health check times out) until the account lets it go."""
    name = new_domain()
    await create(web, spec(name, account.name))
    public = docroot(account.name, name)
    make_folders(account.name, public / "folder")
    fifo = Path("/home") / account.name / "fifo"
    os.mkfifo(fifo)
    chown_to(account.name, fifo)
    timing = WorstTiming(account.name, public, fifo)
    monkeypatch.setattr(os, "open", timing.open)

    with StallWatch(agent, fifo) as watch:
        await code_of(web.DeleteWebDomain(delete_request(name)))
    monkeypatch.undo()
    # The folder is removed by `rm` running as the account, so the agent itself opens no
    # entry of the document root at all (timing stays armed), follows nothing, never stalls.
    assert (timing.followed, watch.stalled) == (False, False)
