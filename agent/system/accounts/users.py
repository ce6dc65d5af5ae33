"""Linux users as hosting accounts: the system side of AccountService.

An account is a user with uid >= 1000, a private group of its name, a home /home/<name> (mode
0750) and membership in the group "jopanel-accounts", which is what marks it as managed. Every
other user and group is someone else's: a name that belongs to one is refused, never touched.

The shadow tools (useradd, usermod, userdel, chpasswd, groupadd, groupdel) lock /etc/passwd and
fail when run concurrently, and an account's state spans several files, so every operation, reads
included, runs under one asyncio.Lock (a read never sees a half-created account) and runs to its
end once started. A deletion takes the lock only for the account's own programs, not while the
account's resources (sites, zones, databases, crontab) go, which may wait for their programs'
timeouts.

Suspension sets the account's expiry date to day 1 (1970-01-02) and locks its password. The
expiry is what makes it complete: PAM's account check refuses an expired account for every kind
of login (password, SSH key, su, cron), while a locked password only stops password logins. So
an account counts as suspended exactly when its expiry date has passed; a '!' at the start of
the password field alone means "no password", which is also how accounts without one look.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import grp
import os
import pwd
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec, Protocol, TypeVar

from agent.config import DEFAULTS, AgentConfig
from agent.errors import FailedPrecondition, InvalidArgument, NotFound
from agent.system.accounts import leftovers, sessions, uids
from agent.system.accounts.quotas import DiskQuotas
from agent.system.base import process
from agent.system.base.cached import ParsedFile
from agent.system.base.process import Limits
from agent.system.base.work import Finisher
from agent.validators.accounts import (
    NOLOGIN,
    AccountName,
    DiskQuotaMb,
    InodeQuota,
    LoginShell,
    Password,
)

MANAGED_GROUP: Final = "jopanel-accounts"
# Accounts whose owner may not sign in over SSH/SFTP: sshd's DenyGroups (agent/system/ssh).
SSH_OFF_GROUP: Final = "jopanel-ssh-off"
# Members get their login shell over SSH, not chrooted (their plan allows it: docs/sftp.md).
SSH_SHELL_GROUP: Final = "jopanel-ssh-shell"
HOME_ROOT: Final = Path("/home")
FIRST_UID: Final = uids.FIRST_UID
HOME_MODE: Final = 0o750
SHADOW_PATH: Final = Path("/etc/shadow")
PASSWD_PATH: Final = Path("/etc/passwd")
GROUP_PATH: Final = Path("/etc/group")
# usermod --expiredate counts days since 1970-01-01; day 1 is in the past for good.
SUSPENDED_EXPIRY: Final = "1"
# The shadow password field of an account without a password: nothing can match it.
NO_PASSWORD: Final = "!"  # noqa: S105 - a marker, not a secret
# How long Delete waits for the account's killed processes to be gone (userdel refuses before).
PROCESS_STOP_TIMEOUT: Final = 10.0


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: str
    shell: str
    suspended: bool


@dataclass(frozen=True)
class ShadowEntry:
    password: str
    expire: int | None  # days since 1970-01-01, None when the account never expires

    @property
    def expired(self) -> bool:
        return self.expire is not None and self.expire <= int(time.time()) // 86400


class AccountResources(Protocol):
    """What an account owns outside its Linux user (hosted databases, ...).

    `removal` removes it all on entry and holds off new ones until the account is gone.
    """

    def removal(self, account: AccountName) -> AbstractAsyncContextManager[None]: ...


P = ParamSpec("P")
T = TypeVar("T")


def _serialized(
    operation: Callable[Concatenate[Users, P], Awaitable[T]],
) -> Callable[Concatenate[Users, P], Coroutine[Any, Any, T]]:
    """Runs an operation under the lock, and to its end even when its caller is cancelled.

    gRPC cancels an RPC's task when the client hangs up. Stopping useradd or userdel halfway, or
    letting the next operation start while they still run, would leave a half-made account or a
    stale lock file in /etc; the operation's own task finishes instead, and its result is lost.
    """

    @functools.wraps(operation)
    async def serialized(self: Users, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async def locked() -> T:
            async with self._lock:
                return await operation(self, *args, **kwargs)

        return await self._finisher.run(locked())

    return serialized


def _read_under_lock(
    operation: Callable[Concatenate[Users, P], Awaitable[T]],
) -> Callable[Concatenate[Users, P], Coroutine[Any, Any, T]]:
    """Runs a read under the lock, so it never sees a half-made account. Unlike a change, a
    read may stop where its caller is cancelled: it leaves nothing half done, and skipping the
    Finisher's task spares every GetAccount a task and a shield (issue 14, target 5)."""

    @functools.wraps(operation)
    async def locked(self: Users, /, *args: P.args, **kwargs: P.kwargs) -> T:
        async with self._lock:
            return await operation(self, *args, **kwargs)

    return locked


NO_INODE_LIMIT: Final = InodeQuota(0)


class Users:
    """The managed accounts. The agent holds one instance, so one lock orders all changes."""

    def __init__(
        self,
        resources: Sequence[AccountResources] = (),
        quotas: DiskQuotas | None = None,
        config: AgentConfig = DEFAULTS,
    ) -> None:
        self._resources = tuple(resources)
        self.quotas = quotas or DiskQuotas(HOME_ROOT)
        self._limits = config.limits("account")
        self._removal = config.limits("removal")  # userdel --remove: a home of any size
        self._lock = asyncio.Lock()
        self._finisher = Finisher()  # see _serialized
        self._deletions: dict[AccountName, asyncio.Future[None]] = {}  # see delete

    @_read_under_lock
    async def get(self, name: AccountName) -> User:
        return _user(_require(name))

    @_read_under_lock
    async def page(self, after: str | None, limit: int) -> tuple[list[User], bool]:
        """Up to `limit` accounts in name order after `after`, and whether more follow."""
        members = _managed_members()
        # One pass over the user database: thousands of accounts must stay cheap to list.
        entries = sorted(
            (entry for entry in pwd.getpwall() if _is_managed(entry, members)),
            key=lambda entry: entry.pw_name,
        )
        following = [entry for entry in entries if after is None or entry.pw_name > after]
        shadow = _read_shadow()
        return [_user(entry, shadow) for entry in following[:limit]], len(following) > limit

    @_read_under_lock
    async def named(self, names: Sequence[AccountName]) -> list[User]:
        """The managed accounts among `names`, in their order; other names are left out."""
        members = _managed_members()
        entries = []
        for name in names:
            try:
                entry = _passwd_entry(name)
            except KeyError:
                continue
            if _is_managed(entry, members):
                entries.append(entry)
        shadow = _read_shadow()
        return [_user(entry, shadow) for entry in entries]

    @_serialized
    async def create(
        self,
        name: AccountName,
        password: Password,
        shell: LoginShell,
        disk_quota_mb: DiskQuotaMb,
        inode_quota: InodeQuota = NO_INODE_LIMIT,
    ) -> User:
        """Creates the account, or brings an existing one to this password, shell and quotas."""
        entry = _managed_entry(name)
        self._check_not_deleting(name)
        if entry is None and (disk_quota_mb or inode_quota):
            self.quotas.require_enforced()  # before anything is made
        if entry is None:
            await _add_user(name, shell, self._limits)
            entry = pwd.getpwnam(name)
        elif entry.pw_shell != shell:
            await _set_shell(name, shell, self._limits)
            if shell == NOLOGIN:
                await self._take_shell(name, entry.pw_uid)
        _secure_home(entry)
        await _set_password(name, password, self._limits)
        self.quotas.set_limits(entry.pw_uid, disk_mb=disk_quota_mb, inodes=inode_quota)
        return _user(_require(name))

    @_serialized
    async def update(
        self,
        name: AccountName,
        *,
        password: Password | None,
        shell: LoginShell | None,
        disk_quota_mb: DiskQuotaMb | None = None,
        inode_quota: InodeQuota | None = None,
    ) -> User:
        """Applies the given fields; None leaves a field as it is."""
        entry = _require(name)
        self._check_not_deleting(name)
        if disk_quota_mb or inode_quota:
            self.quotas.require_enforced()  # before anything changes
        if shell is not None and entry.pw_shell != shell:
            await _set_shell(name, shell, self._limits)
            if shell == NOLOGIN:  # no shell to give over SSH, and SFTP needs the SFTP block
                await self._take_shell(name, entry.pw_uid)
        if password is not None:
            await _set_password(name, password, self._limits)
        self.quotas.set_limits(entry.pw_uid, disk_mb=disk_quota_mb, inodes=inode_quota)
        return _user(_require(name))

    @_serialized
    async def set_ssh_enabled(self, name: AccountName, enabled: bool) -> bool:
        """Lets the account's owner sign in over SSH/SFTP, or not: membership of SSH_OFF_GROUP,
        changed here because the shadow tools that change it must not run concurrently."""
        entry = _require(name)
        self._check_not_deleting(name)
        await self._set_member(SSH_OFF_GROUP, name, not enabled)
        if not enabled:  # sessions already open end too
            await asyncio.to_thread(sessions.end_ssh_sessions, entry.pw_uid)
        return enabled

    @_serialized
    async def set_ssh_shell(self, name: AccountName, enabled: bool) -> bool:
        """Gives the account its login shell over SSH, or SFTP only: membership of
        SSH_SHELL_GROUP, which sshd's configuration matches before the SFTP-only block. Refused
        for a nologin account: sshd runs SFTP through the login shell outside the SFTP-only
        block, so the account would lose SFTP for nothing."""
        entry = _require(name)
        self._check_not_deleting(name)
        if enabled and entry.pw_shell == NOLOGIN:
            raise FailedPrecondition(
                f"account {name} has no login shell (nologin): give it bash or sh first"
            )
        if enabled:
            await self._set_member(SSH_SHELL_GROUP, name, True)
        else:
            await self._take_shell(name, entry.pw_uid)
        return enabled

    async def _take_shell(self, name: AccountName, uid: int) -> None:
        """SFTP only from now on. Sessions opened with the shell would keep it (and an SFTP
        outside the chroot): they end, and the account signs in again to SFTP only."""
        if name in _members(SSH_SHELL_GROUP):
            await self._set_member(SSH_SHELL_GROUP, name, False)
            await asyncio.to_thread(sessions.end_ssh_sessions, uid)

    async def _set_member(self, group: str, name: AccountName, member: bool) -> None:
        if member == (name in _members(group)):
            return
        if not member:
            argv = ["usermod", "--remove", "--groups", group, "--", name]
        else:
            if not _group_exists(group):
                await process.run(["groupadd", "--system", "--", group], limits=self._limits)
            argv = ["usermod", "--append", "--groups", group, "--", name]
        await process.run(argv, limits=self._limits)

    @_serialized
    async def suspend(self, name: AccountName) -> User:
        entry = _require(name)
        self._check_not_deleting(name)
        # One usermod call, so the shadow file never holds a half-suspended account.
        argv = ["usermod", "--lock", "--expiredate", SUSPENDED_EXPIRY, "--", name]
        await process.run(argv, limits=self._limits)
        await _kill_processes(entry.pw_uid, self._limits)
        return _user(_require(name))

    @_serialized
    async def unsuspend(self, name: AccountName) -> User:
        _require(name)
        self._check_not_deleting(name)
        # --unlock leaves a password-less account's "!" alone (usermod only warns).
        argv = ["usermod", "--unlock", "--expiredate", "", "--", name]
        await process.run(argv, limits=self._limits)
        return _user(_require(name))

    async def delete(self, name: AccountName) -> None:
        """Removes the account with its resources, group, home and mail spool, and what it owned
        in the shared temporary folders and SysV IPC (leftovers.py); a missing one is fine
        (resources left under its name, by a deletion cut short, go all the same). Its uid is
        never given again (uids.py).

        The lock is held for the account's own programs only, not while its resources go: a
        resource whose program hangs until its timeout (nginx -t, rndc) must not hold up every
        other account. Meanwhile this account refuses changes, and a second deletion of it
        waits for the first. Like every change, it runs to its end once started.
        """
        deletion = self._deletions.get(name)
        if deletion is None:
            deletion = asyncio.ensure_future(self._delete(name))
            self._deletions[name] = deletion
            deletion.add_done_callback(lambda _: self._deletions.pop(name, None))
        await asyncio.shield(deletion)

    async def _delete(self, name: AccountName) -> None:
        async with self._lock:
            entry = _managed_entry(name)  # refuses another user's name before anything goes
        async with AsyncExitStack() as held:
            for resources in self._resources:
                await held.enter_async_context(resources.removal(name))
            if entry is None:
                return
            async with self._lock:
                await self._remove_user(name)

    async def _remove_user(self, name: AccountName) -> None:
        entry = _managed_entry(name)
        if entry is None:
            return
        await _stop_processes(entry.pw_uid, self._limits)
        await leftovers.remove(entry.pw_uid, name, self._limits)
        # Another account may have run a setuid program of this one until it was removed.
        await _stop_processes(entry.pw_uid, self._limits)
        await process.run(["userdel", "--remove", "--", name], limits=self._removal)
        # The limits outlive the user in the quota file: a later user with this uid
        # must not inherit them.
        self.quotas.set_limits(entry.pw_uid, disk_mb=DiskQuotaMb(0), inodes=InodeQuota(0))
        await _remove_group_left(name, entry.pw_gid, self._limits)

    def _check_not_deleting(self, name: AccountName) -> None:
        # After the name's own checks: a name the agent must not touch is INVALID_ARGUMENT,
        # whatever else is going on.
        if name in self._deletions:
            raise FailedPrecondition(f"account {name} is being deleted; try again when it is gone")


def is_account(name: AccountName) -> bool:
    """Whether a managed account has this name (for services acting on an account's behalf)."""
    try:
        entry = _passwd_entry(name)
    except KeyError:
        return False
    return _is_managed(entry, _managed_members())


def ssh_enabled(name: AccountName) -> bool:
    """Whether the account's owner may sign in over SSH/SFTP (not a member of SSH_OFF_GROUP)."""
    return name not in _members(SSH_OFF_GROUP)


def ssh_shell(name: AccountName) -> bool:
    """Whether a sign-in gets the account's login shell (a member of SSH_SHELL_GROUP)."""
    return name in _members(SSH_SHELL_GROUP)


def _members(group: str) -> frozenset[str]:
    """The members of one of the agent's groups (MANAGED_GROUP and the SSH groups): from
    /etc/group parsed once per version of the file (_GROUPS).

    glibc's getgrnam reads /etc/group from the top for every call and parses every line before
    the group's, members and all: 155 us at 5,000 accounts for a group above their own groups,
    2.2 ms for one below them or missing (the SSH groups are made at their first member), two
    of them for every GetSshAccess, which the reconcile asks of every account (issue 14). The
    agent's groups are made by groupadd, which writes /etc/group: a group the file lacks has no
    members. A line glibc might read otherwise still asks NSS, as _passwd_entry does.
    """
    groups = _GROUPS.get()
    if group not in groups:
        return frozenset()
    members = groups[group]
    if members is not None:
        return members
    try:
        return frozenset(grp.getgrnam(group).gr_mem)
    except KeyError:
        return frozenset()


def _managed_members() -> frozenset[str]:
    return _members(MANAGED_GROUP)


def _is_managed(entry: pwd.struct_passwd, members: frozenset[str]) -> bool:
    return entry.pw_uid >= FIRST_UID and entry.pw_name in members


def _managed_entry(name: AccountName) -> pwd.struct_passwd | None:
    """The user of a managed account, or None when the name is free.

    A name that belongs to any other user or group is refused: the agent never touches those.
    """
    try:
        entry = _passwd_entry(name)
    except KeyError:
        if _group_exists(name):
            raise InvalidArgument("name", "belongs to an existing group; choose another") from None
        return None
    if not _is_managed(entry, _managed_members()):
        raise InvalidArgument("name", "belongs to a user that JoPanel does not manage")
    return entry


def _require(name: AccountName) -> pwd.struct_passwd:
    entry = _managed_entry(name)
    if entry is None:
        raise NotFound(f"account {name} does not exist")
    return entry


def _group_exists(name: str) -> bool:
    if _GROUPS.get().get(name) is not None:
        return True
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _user(entry: pwd.struct_passwd, shadow: dict[str, ShadowEntry] | None = None) -> User:
    shadow_entry = (shadow if shadow is not None else _read_shadow()).get(entry.pw_name)
    return User(
        name=entry.pw_name,
        uid=entry.pw_uid,
        gid=entry.pw_gid,
        home=entry.pw_dir,
        shell=entry.pw_shell,
        suspended=shadow_entry is not None and shadow_entry.expired,
    )


def _passwd_entry(name: str) -> pwd.struct_passwd:
    """pwd.getpwnam(name), answered from /etc/passwd parsed once per version of the file.

    glibc reads /etc/passwd line by line for every getpwnam: at 5,000 accounts, 260 us for
    the last one, on every GetAccount (issue 14, target 5). Names found in the file are the
    ones getpwnam finds there first (nsswitch's `files` comes first on Debian). Any other name
    still asks NSS, so a user of another source (systemd, LDAP) is found as before and its
    name refused: KeyError only where getpwnam says so too.
    """
    entry = _PASSWD.get().get(name)
    return entry if entry is not None else pwd.getpwnam(name)


def _parse_passwd(path: Path) -> dict[str, pwd.struct_passwd]:
    """name:password:uid:gid:gecos:home:shell lines by name; the first of a name wins, as in
    glibc. A line glibc might read otherwise (no number, a `+` NIS entry) is left to getpwnam."""
    entries: dict[str, pwd.struct_passwd] = {}
    with path.open(encoding="utf-8", errors="surrogateescape") as passwd:
        for line in passwd:
            fields = line.rstrip("\n").split(":")
            if len(fields) != 7 or not fields[2].isdigit() or not fields[3].isdigit():
                continue
            if not fields[0] or fields[0][0] in "+-" or fields[0] in entries:
                continue
            name, password, uid, gid, gecos, home, shell = fields
            entries[name] = pwd.struct_passwd(
                (name, password, int(uid), int(gid), gecos, home, shell)
            )
    return entries


def _parse_groups(path: Path) -> dict[str, frozenset[str] | None]:
    """name:password:gid:members lines: each group's members by its name, the first line of a
    name winning, as in glibc. A line glibc might read otherwise (a gid that is no number, a `+`
    NIS entry, blanks that glibc skips) gives its name None: left to getgrnam."""
    groups: dict[str, frozenset[str] | None] = {}
    with path.open(encoding="utf-8", errors="surrogateescape") as group_file:
        for line in group_file:
            line = line.rstrip("\n")
            name = line.lstrip().split(":", 1)[0]
            if not name or name.startswith("#") or name in groups:
                continue
            fields = line.split(":")
            plain = (
                len(fields) == 4
                and fields[2].isdigit()
                and name[0] not in "+-"
                and not any(character.isspace() for character in line)
            )
            groups[name] = frozenset(filter(None, fields[3].split(","))) if plain else None
    return groups


def _read_shadow() -> dict[str, ShadowEntry]:
    """/etc/shadow by user name (read directly: the agent is root, and spwd is deprecated)."""
    return _SHADOW.get()


def _parse_shadow(path: Path) -> dict[str, ShadowEntry]:
    entries: dict[str, ShadowEntry] = {}
    with path.open(encoding="utf-8", errors="surrogateescape") as shadow:
        for line in shadow:
            # name:password:lastchange:min:max:warn:inactive:expire:reserved
            fields = line.rstrip("\n").split(":")
            if len(fields) == 9:
                expire = int(fields[7]) if fields[7].isdigit() else None
                entries[fields[0]] = ShadowEntry(password=fields[1], expire=expire)
    return entries


async def _add_user(name: AccountName, shell: LoginShell, limits: Limits) -> None:
    home = HOME_ROOT / name
    _require_free(home)
    await _ensure_managed_group(limits)
    uid = uids.reserve()  # never one an account had before; also its group's gid
    await process.run(
        [
            "useradd", "--create-home", "--home-dir", str(home), "--user-group",
            "--uid", str(uid), "--groups", MANAGED_GROUP, "--shell", shell,
            # Whatever login.defs says: account uids start at 1000, homes are born private.
            "--key", f"UID_MIN={FIRST_UID}", "--key", f"HOME_MODE=0{HOME_MODE:o}",
            "--", name,
        ],
        limits=limits,
    )  # fmt: skip


def _require_free(home: Path) -> None:
    # useradd would adopt a leftover directory, with whatever it holds and whoever owns it.
    if os.path.lexists(home):
        raise FailedPrecondition(f"{home} exists but belongs to no account; move it away first")


async def _ensure_managed_group(limits: Limits) -> None:
    if not _group_exists(MANAGED_GROUP):
        await process.run(["groupadd", "--system", "--", MANAGED_GROUP], limits=limits)


def _secure_home(entry: pwd.struct_passwd) -> None:
    """Makes /home/<name> a 0750 directory owned by the account, without following links.

    The home's last component is opened with O_NOFOLLOW and changed through the descriptor, so
    nothing a user could plant there (a symlink to /etc, say) ever receives the chown or chmod.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    home_root = os.open(HOME_ROOT, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        home = os.open(entry.pw_name, flags, dir_fd=home_root)
    except OSError as error:
        problem = "is missing" if error.errno == errno.ENOENT else "is not a plain directory"
        raise FailedPrecondition(f"{HOME_ROOT / entry.pw_name} {problem}; repair it") from error
    finally:
        os.close(home_root)
    try:
        os.fchown(home, entry.pw_uid, entry.pw_gid)
        os.fchmod(home, HOME_MODE)
    finally:
        os.close(home)


async def _set_shell(name: AccountName, shell: LoginShell, limits: Limits) -> None:
    await process.run(["usermod", "--shell", shell, "--", name], limits=limits)


async def _set_password(name: AccountName, password: Password, limits: Limits) -> None:
    shadow = _read_shadow().get(name)
    if not password:
        if shadow is None or shadow.password != NO_PASSWORD:
            await process.run(["usermod", "--password", NO_PASSWORD, "--", name], limits=limits)
        return
    # On stdin: argv is readable by every user through /proc/<pid>/cmdline.
    await process.run(["chpasswd"], stdin=f"{name}:{password}\n".encode(), limits=limits)
    if shadow is not None and shadow.expired:
        # A new password must not open a suspended account: lock it again.
        await process.run(["usermod", "--lock", "--", name], limits=limits)


async def _kill_processes(uid: int, limits: Limits) -> bool:
    """Sends SIGKILL to every process running as the user (effective uid) or started by it
    (real uid); True when there was one."""
    found = False
    for which in ("--euid", "--uid"):
        completed = await process.run(
            ["pkill", "--signal", "KILL", which, str(uid)], ok_codes=(0, 1), limits=limits
        )
        found = found or completed.returncode == 0
    return found


async def _stop_processes(uid: int, limits: Limits) -> None:
    """Kills the user's processes and waits until they are gone."""
    deadline = asyncio.get_running_loop().time() + PROCESS_STOP_TIMEOUT
    while await _kill_processes(uid, limits):
        if asyncio.get_running_loop().time() > deadline:
            raise FailedPrecondition(f"processes of uid {uid} do not stop; try again")
        await asyncio.sleep(0.1)


async def _remove_group_left(name: AccountName, gid: int, limits: Limits) -> None:
    """userdel keeps the user's group when another user lists it as a member; it goes anyway."""
    try:
        group = grp.getgrnam(name)
    except KeyError:
        return
    if group.gr_gid == gid:
        await process.run(["groupdel", "--", name], limits=limits)


# Every read of an account looked at the whole of /etc/shadow and the member list of
# jopanel-accounts: at 5,000 accounts, two files of 5,000 entries parsed for one GetAccount.
# They are parsed again only when they change (ParsedFile: shadow tools replace the file).
_SHADOW: Final = ParsedFile(SHADOW_PATH, _parse_shadow)
_PASSWD: Final = ParsedFile(PASSWD_PATH, _parse_passwd)
_GROUPS: Final = ParsedFile(GROUP_PATH, _parse_groups)
