"""A domain's folders: /home/A/web/D/public_html in the account's tree, logs in /var/log.

Everything inside /home/A belongs to account A, who may swap any entry for a symlink at any
moment. So the tree is walked with descriptors: each directory is opened relative to its parent
with O_NOFOLLOW | O_DIRECTORY, checked to belong to A, and changed through its descriptor
(fchown, fchmod, ACLs). A planted link makes the walk stop with FAILED_PRECONDITION; it is never
followed, so nothing outside A's tree is created, changed or removed.

The web server (www-data) reaches a document root through ACL entries that let it traverse
/home/A, /home/A/web and /home/A/web/D and read public_html. It is never put in the account's
group, which would let it (and every PHP script of every account) read all of A's files.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import pwd
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import FailedPrecondition
from agent.system.accounts.users import HOME_ROOT
from agent.system.base import acl, process
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname

logger = logging.getLogger(__name__)

WEB_SERVER_USER: Final = "www-data"  # Debian's nginx workers
SITE_DIR_MODE: Final = 0o750
PUBLIC_DIR_MODE: Final = 0o750
INDEX_MODE: Final = 0o644
TMP_DIR_MODE: Final = 0o700
# /var/log/jopanel/web/D: nginx workers write, the account's group reads, the account cannot
# plant anything there.
LOG_DIR_MODE: Final = 0o750
LOG_ROOT_MODE: Final = 0o711  # others may pass through to their own domain's folder, not list
_DIR_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
DEFAULT_INDEX: Final = """<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>{domain}</title>
<h1>{domain}</h1>
<p>This website is ready. Upload your files to public_html to replace this page.</p>
</html>
"""


@dataclass(frozen=True)
class Owner:
    """The account a domain's folders belong to."""

    name: AccountName
    uid: int
    gid: int


def site_dir(account: str, domain: str) -> Path:
    return HOME_ROOT / account / "web" / domain


def document_root(account: str, domain: str) -> Path:
    return site_dir(account, domain) / "public_html"


def php_error_log(account: str, domain: str) -> Path:
    """Where a PHP site's errors go: written by the account's own PHP (as the account) inside
    its tree, so its quotas count it and no other account can read it (/home/A is 0750)."""
    return site_dir(account, domain) / "php-error.log"


def web_server_uid() -> int:
    return pwd.getpwnam(WEB_SERVER_USER).pw_uid


def prepare_site(owner: Owner, domain: Hostname, log_root: Path) -> None:
    """Creates (or completes) the domain's folders; existing content is left alone."""
    web_uid = web_server_uid()
    shown = site_dir(owner.name, domain)
    with contextlib.ExitStack() as stack:
        home = stack.enter_context(_account_home(owner))
        acl.grant_user(home, web_uid, acl.EXECUTE)
        web, _ = stack.enter_context(_directory(home, "web", owner, shown.parent, SITE_DIR_MODE))
        acl.grant_user(web, web_uid, acl.EXECUTE)
        site, _ = stack.enter_context(_directory(web, domain, owner, shown, SITE_DIR_MODE))
        acl.grant_user(site, web_uid, acl.EXECUTE)
        _ensure_link(site, "logs", str(log_root / domain))
        public, created = stack.enter_context(
            _directory(site, "public_html", owner, shown / "public_html", PUBLIC_DIR_MODE)
        )
        acl.grant_user(public, web_uid, acl.READ | acl.EXECUTE)
        if created:
            _create_file(public, "index.html", DEFAULT_INDEX.format(domain=domain), owner)
    # Last: a walk refused above leaves nothing behind outside the account's tree.
    prepare_log_dir(log_root, domain, owner.gid, web_uid)


def prepare_php_tmp(owner: Owner) -> None:
    """/home/A/tmp: the account's own temporary folder for PHP (uploads, sessions)."""
    with (
        _account_home(owner) as home,
        _directory(home, "tmp", owner, HOME_ROOT / owner.name / "tmp", TMP_DIR_MODE),
    ):
        pass


def check_removable(owner: Owner) -> None:
    """Raises FAILED_PRECONDITION unless remove_site could remove a domain folder safely."""
    with _site_parent(owner):
        pass


async def remove_site(owner: Owner, domain: Hostname, limits: process.Limits) -> None:
    """Removes /home/A/web/D as the account's own user: `rm -rf` under setpriv, with A's uid
    and gid and no groups or capabilities.

    Root never opens anything in A's tree here. A walk by root, even through descriptors, has
    a window between checking an entry and opening it in which A can swap a folder for a link
    (to a FIFO that blocks the agent, a device, another account's tree); as A, whatever is
    swapped in, rm can remove only what A could remove itself.
    """
    path = site_dir(owner.name, domain)
    argv = [
        "setpriv",
        f"--reuid={owner.uid}",
        f"--regid={owner.gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--",
        "rm",
        "-rf",
        "--one-file-system",
        "--",
        str(path),
    ]
    completed = await process.run(argv, ok_codes=range(256), limits=limits)
    if completed.returncode != 0:
        # What A made unremovable for A stays, in A's home; the site itself is gone already.
        logger.warning(
            "removing %s as %s left something: %s",
            path,
            owner.name,
            process.tail(completed.stderr, completed.stderr_cut, 500),
        )


def prepare_log_dir(log_root: Path, domain: Hostname, gid: int, web_uid: int) -> Path:
    """The domain's log folder, www-data:<account group> 0750; another account's logs go."""
    _ensure_log_root(log_root)
    path = log_root / domain
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, LOG_DIR_MODE)
    fd = os.open(path, _DIR_FLAGS)
    try:
        info = os.fstat(fd)
        if info.st_gid not in (0, gid):
            # Left by an account that had this domain before: its logs are not the new owner's.
            _empty(fd)
        os.fchown(fd, web_uid, gid)
        os.fchmod(fd, LOG_DIR_MODE)
    finally:
        os.close(fd)
    return path


def remove_log_dir(log_root: Path, domain: Hostname) -> None:
    try:
        root = os.open(log_root, _DIR_FLAGS)
    except FileNotFoundError:
        return
    try:
        shutil.rmtree(domain, dir_fd=root)
    except FileNotFoundError:
        pass
    finally:
        os.close(root)


def _ensure_log_root(log_root: Path) -> None:
    # Only root writes above the domain folders, so plain paths are safe here.
    log_root.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        log_root.mkdir(mode=LOG_ROOT_MODE)
    log_root.chmod(LOG_ROOT_MODE)


def _empty(directory: int) -> None:
    for name in os.listdir(directory):
        info = os.lstat(name, dir_fd=directory)
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(name, dir_fd=directory)
        else:
            os.unlink(name, dir_fd=directory)


@contextlib.contextmanager
def _account_home(owner: Owner) -> Iterator[int]:
    """/home/A, opened without following a link and checked to belong to the account."""
    root = os.open(HOME_ROOT, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        home = _open_directory(root, owner.name, HOME_ROOT / owner.name)
    finally:
        os.close(root)
    try:
        if os.fstat(home).st_uid != owner.uid:
            raise FailedPrecondition(f"{HOME_ROOT / owner.name} is not owned by {owner.name}")
        yield home
    finally:
        os.close(home)


@contextlib.contextmanager
def _site_parent(owner: Owner) -> Iterator[int | None]:
    """/home/A/web opened safely, or None when it does not exist (nothing to remove)."""
    shown = HOME_ROOT / owner.name / "web"
    with _account_home(owner) as home:
        try:
            web = os.open("web", _DIR_FLAGS, dir_fd=home)
        except FileNotFoundError:
            web = None
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            raise _not_removable(shown, owner) from None
        if web is None:
            yield None
            return
        try:
            if os.fstat(web).st_uid != owner.uid:
                raise _not_removable(shown, owner)
            yield web
        finally:
            os.close(web)


def _not_removable(shown: Path, owner: Owner) -> FailedPrecondition:
    return FailedPrecondition(
        f"{shown} is not a folder of {owner.name} (a link?); "
        "fix it, or delete the domain without delete_files"
    )


@contextlib.contextmanager
def _directory(
    parent: int, name: str, owner: Owner, shown: Path, mode: int
) -> Iterator[tuple[int, bool]]:
    """A folder of the account (made if missing) and whether it was just made."""
    try:
        os.mkdir(name, mode, dir_fd=parent)
        created = True
    except FileExistsError:
        created = False
    fd = _open_directory(parent, name, shown)
    try:
        owner_uid = os.fstat(fd).st_uid
        if created and owner_uid == 0:  # ours, as made above: hand it to the account
            os.fchown(fd, owner.uid, owner.gid)
            os.fchmod(fd, mode)
        elif owner_uid != owner.uid:
            raise FailedPrecondition(f"{shown} is not owned by {owner.name}; move it away")
        yield fd, created
    finally:
        os.close(fd)


def _open_directory(parent: int, name: str, shown: Path) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise FailedPrecondition(f"{shown} is missing") from None
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise FailedPrecondition(f"{shown} is a link or not a folder; move it away") from None
        raise


def _ensure_link(parent: int, name: str, target: str) -> None:
    """A convenience link; whatever the account has put at that name stays as it is."""
    # Left owned by root: changing its owner would need a path lookup the account could race.
    with contextlib.suppress(FileExistsError):
        os.symlink(target, name, dir_fd=parent)


def _create_file(parent: int, name: str, content: str, owner: Owner) -> None:
    """A new file of the account; an existing entry of that name (even a link) is left alone."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, INDEX_MODE, dir_fd=parent)
    except FileExistsError:
        return
    with open(fd, "w", encoding="utf-8") as file:
        os.fchown(fd, owner.uid, owner.gid)
        os.fchmod(fd, INDEX_MODE)
        file.write(content)
