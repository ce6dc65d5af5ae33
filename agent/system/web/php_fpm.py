"""PHP-FPM pools: one per (account, PHP version), running as the account's own user.

Pool files live in /etc/php/<v>/fpm/pool.d/jopanel-<A>.conf; the pool listens on
/run/php/jopanel-<A>-<v>.sock, which only www-data (nginx) may connect to. pm = ondemand, so the
idle pools of thousands of accounts cost no process. Every change is checked with
`php-fpm<v> -t` before the master gets SIGUSR2 (a graceful reload); when the check fails the
previous pool files are put back. A master that re-executes itself with a bad configuration
dies, so nothing unchecked ever reaches it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import pwd
import re
import signal
import stat
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.config import DEFAULTS, AgentConfig
from agent.errors import FailedPrecondition, Internal
from agent.system.accounts.users import HOME_ROOT
from agent.system.base import files, process
from agent.validators.accounts import ACCOUNT_NAME_PATTERN, AccountName
from agent.validators.web import PHP_VERSION_PATTERN, PhpVersion
from jopanel_rules.web import PHP_MAX_CHILDREN_DEFAULT, PHP_MAX_CHILDREN_MAX, PHP_MAX_CHILDREN_MIN

logger = logging.getLogger(__name__)

BINARY_DIR: Final = Path("/usr/sbin")
POOL_PREFIX: Final = "jopanel-"
MAX_CHILDREN: Final = PHP_MAX_CHILDREN_DEFAULT
# Root's alone (the master reads them as root): a pool file names its account, home and socket,
# which no account needs to read of another.
POOL_MODE: Final = 0o640
RELOAD_TIMEOUT: Final = 30.0
_SIGUSR2_BIT: Final = 1 << (signal.SIGUSR2 - 1)
_LOG_LINE: Final = re.compile(r"^(?:\[[^\]]*\] )?(?:ERROR|ALERT): (.*)$")

# Wanted pools: PHP version -> accounts.
Pools = Mapping[PhpVersion, Set[AccountName]]


def installed_versions(binary_dir: Path = BINARY_DIR) -> list[PhpVersion]:
    """The versions with a php-fpm binary, newest first (Debian: /usr/sbin/php-fpm8.2)."""
    found = []
    for path in binary_dir.glob("php-fpm*"):
        version = path.name.removeprefix("php-fpm")
        if PHP_VERSION_PATTERN.fullmatch(version) and os.access(path, os.X_OK):
            found.append(PhpVersion(version))
    return sorted(found, key=lambda v: tuple(int(part) for part in v.split(".")), reverse=True)


def socket_path(run_dir: Path, account: str, version: str) -> Path:
    return run_dir / f"{POOL_PREFIX}{account}-{version}.sock"


@dataclass(frozen=True)
class PoolLimits:
    """An account's process limits, the same for each of its pools (SetPhpPoolLimits)."""

    dynamic: bool = False
    max_children: int = MAX_CHILDREN


def _process_manager(limits: PoolLimits) -> str:
    if not limits.dynamic:
        return f"""; Idle pools cost no process, so thousands of accounts fit.
pm = ondemand
pm.max_children = {limits.max_children}
pm.process_idle_timeout = 10s"""
    spare = min(3, limits.max_children)
    return f"""; One worker always waits (the account's choice, within its plan).
pm = dynamic
pm.max_children = {limits.max_children}
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = {spare}"""


def render_pool(
    account: AccountName, version: PhpVersion, run_dir: Path, limits: PoolLimits = PoolLimits()
) -> str:
    home = HOME_ROOT / account
    tmp = home / "tmp"
    return f"""; Written by jopanel-agent (account {account}, PHP {version}); edits are overwritten.
[{POOL_PREFIX}{account}]
user = {account}
group = {account}
listen = {socket_path(run_dir, account, version)}
; nginx alone may connect: accounts cannot reach each other's PHP.
listen.owner = www-data
listen.group = www-data
listen.mode = 0660
{_process_manager(limits)}
; A worker is replaced after this many requests (a leaking extension cannot grow forever);
; at 500, a busy pool spent a fifth of its time starting workers (make bench, hosted sites).
pm.max_requests = 10000
request_terminate_timeout = 300s
chdir = /
security.limit_extensions = .php
; Scripts see the account's home and their own temporary folder, not the shared /tmp.
php_admin_value[open_basedir] = {home}/
php_admin_value[upload_tmp_dir] = {tmp}
php_admin_value[sys_temp_dir] = {tmp}
php_admin_value[session.save_path] = {tmp}
php_admin_flag[allow_url_include] = off
; Each site's nginx configuration names its error_log: {home}/web/<domain>/php-error.log,
; and its other settings (memory_limit, upload sizes, ...), all of them with every request.
php_admin_flag[log_errors] = on
php_admin_flag[opcache.enable] = on
"""


DEFAULT_LIMITS: Final = DEFAULTS.limits("web")


@dataclass(frozen=True)
class PhpSettings:
    root: Path  # /etc/php
    run_dir: Path  # /run/php
    limits: process.Limits = DEFAULT_LIMITS  # of `php-fpm -t`

    @classmethod
    def from_config(cls, config: AgentConfig) -> PhpSettings:
        return cls(config.php_dir, config.php_run_dir, config.limits("web"))

    def pool_dir(self, version: str) -> Path:
        return self.root / version / "fpm" / "pool.d"

    def pool_file(self, version: str, account: str) -> Path:
        return self.pool_dir(version) / f"{POOL_PREFIX}{account}.conf"

    def main_config(self, version: str) -> Path:
        return self.root / version / "fpm" / "php-fpm.conf"

    def pid_file(self, version: str) -> Path:
        return self.run_dir / f"php{version}-fpm.pid"


class PoolLimitsFile:
    """Every account's pool limits that differ from the default, in one JSON file of root's
    (`<php_dir>/jopanel-pool-limits.json`, 0600): the pools of an account are rendered from
    it, whichever PHP versions the account uses, now or later."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._limits: dict[str, PoolLimits] | None = None

    def get(self, account: str) -> PoolLimits:
        return self._loaded().get(account, PoolLimits())

    def set(self, account: str, limits: PoolLimits | None) -> None:
        """Records the account's limits (None or the default: forgets them)."""
        current = dict(self._loaded())
        if limits is None or limits == PoolLimits():
            if current.pop(account, None) is None:
                return
        else:
            current[account] = limits
        data = {
            name: {"dynamic": entry.dynamic, "max_children": entry.max_children}
            for name, entry in sorted(current.items())
        }
        files.write_atomic(self._path, json.dumps(data, indent=1) + "\n", 0o600)
        self._limits = current

    def _loaded(self) -> dict[str, PoolLimits]:
        if self._limits is None:
            self._limits = _read_limits(self._path)
        return self._limits


def _read_limits(path: Path) -> dict[str, PoolLimits]:
    """The file's entries that validate; anything else is logged and left out (defaults)."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except ValueError:
        logger.error("%s is not JSON; every pool takes the default limits", path)
        return {}
    limits = {}
    for account, entry in data.items() if isinstance(data, dict) else []:
        children = entry.get("max_children") if isinstance(entry, dict) else None
        dynamic = entry.get("dynamic") if isinstance(entry, dict) else None
        if (
            isinstance(account, str)
            and ACCOUNT_NAME_PATTERN.fullmatch(account)
            and isinstance(dynamic, bool)
            and isinstance(children, int)
            and not isinstance(children, bool)
            and PHP_MAX_CHILDREN_MIN <= children <= PHP_MAX_CHILDREN_MAX
        ):
            limits[account] = PoolLimits(dynamic, children)
        else:
            logger.error("%s: the entry of %r is not valid; left out", path, account)
    return limits


class PhpPools:
    """Brings the pool files of each PHP version to the wanted set, checked, then reloaded."""

    def __init__(self, settings: PhpSettings) -> None:
        self._settings = settings
        self.limits = PoolLimitsFile(settings.root / "jopanel-pool-limits.json")

    async def ensure(self, wanted: Pools) -> None:
        """Creates missing pools (and drops those of vanished users, which break `-t`)."""
        for version, accounts in wanted.items():
            await self._converge(version, accounts, keep_others=True)

    async def prune(self, wanted: Pools) -> None:
        """Removes every JoPanel pool that is not wanted."""
        for version in self._versions_with_pools():
            await self._converge(version, wanted.get(version, set()), keep_others=False)

    async def _converge(
        self, version: PhpVersion, accounts: Set[AccountName], *, keep_others: bool
    ) -> None:
        current = self._current(version)
        writes = {
            self._settings.pool_file(version, account): render_pool(
                account, version, self._settings.run_dir, self.limits.get(account)
            )
            for account in accounts
        }
        writes = {path: text for path, text in writes.items() if _read(path) != text}
        for path in current.values():
            _restrict(path)  # pool files written before they were root's alone
        removals = [
            path
            for account, path in current.items()
            if account not in accounts and (not keep_others or not _user_exists(account))
        ]
        sockets = [socket_path(self._settings.run_dir, account, version) for account in accounts]
        if writes or removals:
            await self._apply(version, writes, removals)
        elif all(map(_is_socket, sockets)):
            return
        await self._reload(version, sockets)

    def _current(self, version: str) -> dict[str, Path]:
        pools = {}
        for path in self._settings.pool_dir(version).glob(f"{POOL_PREFIX}*.conf"):
            account = path.name[len(POOL_PREFIX) : -len(".conf")]
            if ACCOUNT_NAME_PATTERN.fullmatch(account):
                pools[account] = path
        return pools

    def _versions_with_pools(self) -> list[PhpVersion]:
        return [v for v in installed_versions() if self._current(v)]

    async def _apply(self, version: str, writes: dict[Path, str], removals: list[Path]) -> None:
        """Writes and removes pool files, then checks them; the old files return on failure."""
        previous = {path: _read(path) for path in [*writes, *removals]}
        for path, text in writes.items():
            files.write_atomic(path, text, POOL_MODE)
        for path in removals:
            path.unlink(missing_ok=True)
        try:
            await self._check(version)
        except FailedPrecondition:
            for path, old in previous.items():
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    files.write_atomic(path, old, POOL_MODE)
            raise

    async def _check(self, version: str) -> None:
        argv = [f"php-fpm{version}", "-t", "--fpm-config", str(self._settings.main_config(version))]
        completed = await process.run(argv, ok_codes=range(256), limits=self._settings.limits)
        if completed.returncode != 0:
            raise FailedPrecondition(
                f"php-fpm {version} refused the pool configuration: {_message(completed.stderr)}"
            )

    async def _reload(self, version: str, sockets: list[Path]) -> None:
        """SIGUSR2 to the master, then waits until it runs again with every wanted socket."""
        pid_file = self._settings.pid_file(version)
        pid = _master_pid(pid_file)
        if pid is None:
            raise FailedPrecondition(
                f"php-fpm {version} is not running; start it (its pools are in place)"
            )
        before = _identity(pid_file)
        os.kill(pid, signal.SIGUSR2)
        # At least the web resource's timeout, which a slow machine raises (web_timeout).
        wait = max(RELOAD_TIMEOUT, self._settings.limits.timeout)
        deadline = asyncio.get_running_loop().time() + wait
        while not (
            _identity(pid_file) not in (before, None)
            and _catches_sigusr2(pid)
            and all(map(_is_socket, sockets))
        ):
            if not _alive(pid):
                raise Internal(f"php-fpm {version} exited while reloading; its log says why")
            if asyncio.get_running_loop().time() > deadline:
                raise Internal(f"php-fpm {version} did not finish reloading; its log says why")
            await asyncio.sleep(0.01)
        logger.info("php-fpm %s reloaded", version)


def _message(stderr: bytes) -> str:
    """php-fpm's error lines without timestamps or the closing 'initialization failed'."""
    lines = []
    for line in stderr.decode("utf-8", errors="replace").splitlines():
        match = _LOG_LINE.match(line.strip())
        if match and "FPM initialization failed" not in match[1]:
            lines.append(match[1])
    return process.excerpt("; ".join(lines), 1000) or "php-fpm -t failed without a message"


def _master_pid(pid_file: Path) -> int | None:
    """The pid in the file if that process is a php-fpm master (a stale file names another)."""
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if cmdline.startswith(b"php-fpm: master process") else None


def _identity(path: Path) -> tuple[int, int] | None:
    """Changes when the master rewrites its pid file, which it does on each (re)start."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def _catches_sigusr2(pid: int) -> bool:
    """Whether the master has installed its handlers; until then SIGUSR2 would kill it."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) & _SIGUSR2_BIT)
    return False


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except FileNotFoundError:
        return False


def _restrict(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_IMODE(path.lstat().st_mode) != POOL_MODE:
            path.chmod(POOL_MODE)  # pool.d is root's: no link to fear here


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
