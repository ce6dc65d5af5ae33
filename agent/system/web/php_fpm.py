"""PHP-FPM pools: one per (account, PHP version), running as the account's own user.

The pool listens on /run/php/jopanel-<A>-<v>.sock, which only www-data (nginx) may connect to.
pm = ondemand, so the idle pools of thousands of accounts cost no process.

The pools are shared out among masters of their own, one per PHP version and shard (the
account's uid // SHARD_SIZE): /etc/php/<v>/fpm/jopanel/<shard>/php-fpm.conf, with the pools in
its pool.d/jopanel-<A>.conf. A master re-reads every pool it has when it reloads (about half a
millisecond per pool, and more per user in /etc/passwd), so a new account reloads its shard's
master alone, and a reload's pause for running requests reaches only that shard's accounts.
Every change is checked with `php-fpm<v> -t` on its shard's configuration before that master
gets SIGUSR2 (a graceful reload); when the check fails the previous files are put back. A
master that re-executes itself with a bad configuration dies, so nothing unchecked reaches it.
A shard's master is started with its first pool and stopped with its last: by the agent in
the sandbox (php_supervisor = "agent"), by systemd on a server (jopanel-php<v>-fpm@<shard>,
a template the agent writes). docs/web.md, PHP-FPM.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import pwd
import re
import resource
import secrets
import select
import shutil
import signal
import stat
import time
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from agent.config import DEFAULTS, AgentConfig
from agent.errors import AgentError, FailedPrecondition, Internal
from agent.system.accounts.users import HOME_ROOT
from agent.system.base import files, process
from agent.validators import web as web_validators
from agent.validators.accounts import ACCOUNT_NAME_PATTERN, AccountName
from agent.validators.web import PHP_VERSION_PATTERN, PhpVersion
from jopanel_rules.web import PHP_MAX_CHILDREN_DEFAULT, PHP_MAX_CHILDREN_MAX, PHP_MAX_CHILDREN_MIN

logger = logging.getLogger(__name__)

BINARY_DIR: Final = Path("/usr/sbin")
POOL_PREFIX: Final = "jopanel-"
MAX_CHILDREN: Final = PHP_MAX_CHILDREN_DEFAULT
# Bounds a leaking extension and PHP-FPM's own leak of each PHP_ADMIN_VALUE it replaces.
MAX_REQUESTS: Final = 10000
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
    found = [
        v for v in _named_versions(binary_dir) if os.access(binary_dir / f"php-fpm{v}", os.X_OK)
    ]
    return sorted(found, key=lambda v: tuple(int(part) for part in v.split(".")), reverse=True)


# The folder's modification time and the versions its names held then: a site's create asks
# twice (ListPhpVersions, the backend's check), and /usr/sbin has hundreds of names to list.
_NAMED: dict[Path, tuple[int, list[PhpVersion]]] = {}


def _named_versions(binary_dir: Path) -> list[PhpVersion]:
    """The versions named by php-fpm<v> in the folder, listed again only when a name in it was
    added, removed or replaced (which changes the folder's modification time)."""
    changed = binary_dir.stat().st_mtime_ns
    known = _NAMED.get(binary_dir)
    if known is not None and known[0] == changed:
        return known[1]
    names = (path.name.removeprefix("php-fpm") for path in binary_dir.glob("php-fpm*"))
    versions = [PhpVersion(v) for v in names if PHP_VERSION_PATTERN.fullmatch(v)]
    # A time within the last second may be shared by a change still to come (the kernel's
    # clock for file times is coarse), so such a listing is not kept.
    if time.time_ns() - changed > 1_000_000_000:
        _NAMED[binary_dir] = (changed, versions)
    return versions


def socket_path(run_dir: Path, account: str, version: str) -> Path:
    return run_dir / f"{POOL_PREFIX}{account}-{version}.sock"


@dataclass(frozen=True)
class PoolLimits:
    """An account's process limits, the same for each of its pools (SetPhpPoolLimits), and
    whether its scripts are kept to its home (open_basedir, its plan's choice)."""

    pm: web_validators.ProcessManager = "ondemand"
    max_children: int = MAX_CHILDREN
    open_basedir: bool = True


def _process_manager(limits: PoolLimits) -> str:
    if limits.pm == "ondemand":
        return f"""; Idle pools cost no process, so thousands of accounts fit.
pm = ondemand
pm.max_children = {limits.max_children}
pm.process_idle_timeout = 10s"""
    if limits.pm == "static":
        return f"""; Every worker always runs (the account's choice, which its plan grants).
pm = static
pm.max_children = {limits.max_children}"""
    spare = min(3, limits.max_children)
    return f"""; One worker always waits (the account's choice, within its plan).
pm = dynamic
pm.max_children = {limits.max_children}
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = {spare}"""


def _confinement(home: Path, limits: PoolLimits) -> str:
    if not limits.open_basedir:
        return """; Scripts may open files outside the home (the account's plan): the account's user
; still keeps them from other accounts' files. Their temporary folder is their own."""
    return f"""; Scripts see the account's home and their own temporary folder, not the shared /tmp.
php_admin_value[open_basedir] = {home}/"""


def php_ini(settings: web_validators.PhpSettings) -> dict[str, str]:
    """A site's PHP settings as the ini values PHP-FPM is given: whole numbers in fixed units
    from a validator, no text of anyone's (docs/web.md, PHP settings)."""
    seconds = str(settings.value("max_execution_time_seconds"))
    return {
        "memory_limit": f"{settings.value('memory_limit_mb')}M",
        "upload_max_filesize": f"{settings.value('upload_max_filesize_mb')}M",
        "post_max_size": f"{settings.value('post_max_size_mb')}M",
        "max_execution_time": seconds,
        "max_input_time": seconds,
        "max_input_vars": str(settings.value("max_input_vars")),
        "display_errors": "On" if settings.display_errors else "Off",
    }


# Every pool starts its workers with the sites' defaults; nginx sends a site's own values with
# each request only where the pool's sites differ (nginx_render.pool_variations).
DEFAULT_INI: Final = php_ini(web_validators.PhpSettings())


def render_pool(
    account: AccountName,
    version: PhpVersion,
    run_dir: Path,
    error_log: Path,
    limits: PoolLimits = PoolLimits(),
) -> str:
    """The pool file. `error_log` is the pool's link to the log of its only site
    (ErrorLogLinks)."""
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
pm.max_requests = {MAX_REQUESTS}
request_terminate_timeout = 300s
chdir = /
security.limit_extensions = .php
{_confinement(home, limits)}
php_admin_value[upload_tmp_dir] = {tmp}
php_admin_value[sys_temp_dir] = {tmp}
php_admin_value[session.save_path] = {tmp}
; Programs a script starts (exec, proc_open) put their temporary files there too.
env[TMPDIR] = {tmp}
php_admin_flag[allow_url_include] = off
; A site's PHP errors go to {home}/web/<domain>/php-error.log: for a pool's only site through
; this link of root's to it; where the pool has more sites, each names its own with every
; request (nginx), with those of its settings that differ among the pool's sites.
php_admin_flag[log_errors] = on
php_admin_value[error_log] = {error_log}
; The sites' settings at their defaults, for the settings every site of the pool leaves so.
{_default_ini()}
php_admin_flag[opcache.enable] = on
; The master's OPcache is shared by its pools: no script may flush or list it (opcache_reset,
; opcache_get_status, ...): no script's path starts with this.
php_admin_value[opcache.restrict_api] = /nonexistent/
"""


def _default_ini() -> str:
    return "\n".join(f"php_admin_value[{name}] = {value}" for name, value in DEFAULT_INI.items())


DEFAULT_LIMITS: Final = DEFAULTS.limits("web")

# A master serves the pools of the accounts whose uids share uid // SHARD_SIZE: a new account
# reloads only its own master, which holds at most this many pools (docs/web.md, PHP-FPM).
SHARD_SIZE: Final = 256
# How long a reload waits for its pools' running requests before ending them (Debian's 0 ends
# them at once: every visitor of every pool whose request was running saw a 502).
PROCESS_CONTROL_TIMEOUT: Final = "10s"
Supervisor = Literal["agent", "systemd"]


@dataclass(frozen=True)
class PhpSettings:
    root: Path  # /etc/php
    run_dir: Path  # /run/php
    supervisor: Supervisor = "agent"
    limits: process.Limits = DEFAULT_LIMITS  # of `php-fpm -t`, a start or a reload
    log_dir: Path = Path("/var/log")
    unit_dir: Path = Path("/etc/systemd/system")
    shard_size: int = SHARD_SIZE
    # RLIMIT_NPROC of the masters, so of every worker and what it starts (account_processes).
    processes: int = DEFAULTS.account_processes

    def shard(self, uid: int) -> int:
        """The shard of an account's pools: its uid's (uids are never given again)."""
        return uid // self.shard_size

    @classmethod
    def from_config(cls, config: AgentConfig) -> PhpSettings:
        return cls(
            config.php_dir,
            config.php_run_dir,
            config.php_supervisor,
            config.limits("web"),
            processes=config.account_processes,
        )

    def shards_dir(self, version: str) -> Path:
        return self.root / version / "fpm" / "jopanel"

    def shard_dir(self, version: str, shard: int) -> Path:
        return self.shards_dir(version) / str(shard)

    def pool_dir(self, version: str, shard: int) -> Path:
        return self.shard_dir(version, shard) / "pool.d"

    def pool_file(self, version: str, shard: int, account: str) -> Path:
        return self.pool_dir(version, shard) / f"{POOL_PREFIX}{account}.conf"

    def main_config(self, version: str, shard: int) -> Path:
        return self.shard_dir(version, shard) / "php-fpm.conf"

    def pid_file(self, version: str, shard: int) -> Path:
        return self.run_dir / f"{POOL_PREFIX}fpm{version}-{shard}.pid"

    def log_file(self, version: str, shard: int) -> Path:
        return self.log_dir / f"php{version}-fpm-{POOL_PREFIX}{shard}.log"

    @property
    def error_links(self) -> Path:
        """ErrorLogLinks' folder."""
        return self.log_dir / "jopanel" / "php"

    def unit_template(self, version: str) -> Path:
        return self.unit_dir / f"{POOL_PREFIX}php{version}-fpm@.service"

    # Before masters of their own, the pools were in Debian's master: /etc/php/<v>/fpm/pool.d.
    def legacy_pool_dir(self, version: str) -> Path:
        return self.root / version / "fpm" / "pool.d"

    def legacy_config(self, version: str) -> Path:
        return self.root / version / "fpm" / "php-fpm.conf"

    def legacy_pid_file(self, version: str) -> Path:
        return self.run_dir / f"php{version}-fpm.pid"


def render_master(settings: PhpSettings, version: str, shard: int) -> str:
    first = shard * settings.shard_size
    return f"""; Written by jopanel-agent: the PHP {version} master of the pools of the accounts
; with uids {first} to {first + settings.shard_size - 1}; edits are overwritten.
[global]
pid = {settings.pid_file(version, shard)}
error_log = {settings.log_file(version, shard)}
process_control_timeout = {PROCESS_CONTROL_TIMEOUT}
include = {settings.pool_dir(version, shard)}/*.conf
"""


# The /dev/shm of each master's accounts together (their sessions' is 64M each, private_tmp.py).
SHM_SIZE: Final = "64M"


def render_unit(settings: PhpSettings, version: str) -> str:
    config = settings.shards_dir(version) / "%i" / "php-fpm.conf"
    return f"""# Written by jopanel-agent: PHP {version}'s masters of the accounts' pools, one per
# instance (%i: uid // {settings.shard_size}), enabled and started by the agent (docs/web.md).
[Unit]
Description=PHP {version} FastCGI master %i of JoPanel's account pools
Documentation=https://github.com/jopanel/jopanel/blob/main/docs/web.md
After=network.target

[Service]
Type=notify
ExecStart={BINARY_DIR}/php-fpm{version} --nodaemonize --fpm-config {config}
ExecReload=/bin/kill -USR2 $MAINPID
# Each worker runs as its account: no account's scripts start more processes than this.
LimitNPROC={settings.processes}
RuntimeDirectory=php
RuntimeDirectoryPreserve=yes
Restart=on-failure
# The workers run tenants' code and the programs it starts (exec, proc_open). They keep the
# kernel's surface they need and no more: no namespaces (unprivileged user namespaces are
# the usual way a local exploit starts), no setuid or setgid file made, no realtime, no
# 32-bit system calls, and the kernel's tunables, modules, logs, clock, host name and cgroups
# out of reach. /dev/shm is the master's own, at most {SHM_SIZE} for all its accounts:
# the system's (half the RAM) is never filled from a web request.
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
TemporaryFileSystem=/dev/shm:size={SHM_SIZE},mode=1777,nosuid,nodev

[Install]
WantedBy=multi-user.target
"""


class PoolLimitsFile:
    """Every account's pool limits that differ from the default, in one JSON file of root's
    (`<php_dir>/jopanel-pool-limits.json`, 0600): the pools of an account are rendered from
    it, whichever PHP versions the account uses, now or later."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._limits: dict[str, PoolLimits] | None = None
        self._unwritten = False

    def get(self, account: str) -> PoolLimits:
        return self._loaded().get(account, PoolLimits())

    def recorded(self) -> dict[str, PoolLimits]:
        """Every account's limits that differ from the default, by name in name order."""
        return dict(sorted(self._loaded().items()))

    def set(self, account: str, limits: PoolLimits | None) -> None:
        """Records the account's limits (None or the default: forgets them) in the file."""
        self.note(account, limits)
        self.write()

    def note(self, account: str, limits: PoolLimits | None) -> None:
        """Takes the account's limits for the pools rendered from now on; `write` puts them in
        the file. A plan's change notes thousands of accounts' limits, and the batch that
        brings their pools to them writes the file once, where each would write all of it."""
        current = self._loaded()
        if limits is None or limits == PoolLimits():
            if current.pop(account, None) is None:
                return
        else:
            current[account] = limits
        self._unwritten = True

    def write(self) -> None:
        """Puts the limits noted since the last write in the file."""
        if not self._unwritten:
            return
        entries = sorted(self._loaded().items())
        data = {name: dataclasses.asdict(entry) for name, entry in entries}
        files.write_atomic(self._path, json.dumps(data, indent=1) + "\n", 0o600)
        self._unwritten = False

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
        entry = entry if isinstance(entry, dict) else {}
        children = entry.get("max_children")
        pm = _pm_of(entry)
        # Files written before open_basedir was a plan's choice lack it: kept to the home.
        basedir = entry.get("open_basedir", True)
        if (
            isinstance(account, str)
            and ACCOUNT_NAME_PATTERN.fullmatch(account)
            and pm is not None
            and isinstance(basedir, bool)
            and isinstance(children, int)
            and not isinstance(children, bool)
            and PHP_MAX_CHILDREN_MIN <= children <= PHP_MAX_CHILDREN_MAX
        ):
            limits[account] = PoolLimits(pm, children, basedir)
        else:
            logger.error("%s: the entry of %r is not valid; left out", path, account)
    return limits


def _pm_of(entry: dict[str, object]) -> web_validators.ProcessManager | None:
    """An entry's process manager: its `pm`, or, in a file written before pools could be
    static, its `dynamic` flag; None when neither is valid."""
    if "pm" not in entry:
        dynamic = entry.get("dynamic")
        return None if not isinstance(dynamic, bool) else "dynamic" if dynamic else "ondemand"
    pm = entry["pm"]
    return pm if pm in ("ondemand", "dynamic", "static") else None


# A PHP pool: (account, PHP version).
Pool = tuple[AccountName, PhpVersion]


# A link's name while it is made, before its rename over <version>.log (ErrorLogLinks.set).
_TEMPORARY_HEX = 8
_TEMPORARY_LINK = re.compile(rf"\.[0-9.]+\.[0-9a-f]{{{2 * _TEMPORARY_HEX}}}")


class ErrorLogLinks:
    """Each pool's error_log when no request names another: a link of root's to the log of the
    pool's only site, so that site sends no value with its requests (docs/web.md, PHP errors).

    <root>/A/<version>.log -> /home/A/web/D/php-error.log. <root> is root's, 0711; <root>/A is
    root:A, 0750: A's workers pass (PHP opens the log, through the link, as A, at each error),
    no other account lists or reads A's links, and A cannot replace one. A link is changed by
    renaming a new one over it: a worker opening the log sees the old or the new one. Where a
    pool has two sites or more every request names its site's log, and the link is left as it
    is (domains.py decides each target).
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._targets: dict[Pool, Path] | None = None

    def path(self, account: str, version: str) -> Path:
        return self._root / account / f"{version}.log"

    def target(self, pool: Pool) -> Path | None:
        """Where the pool's link points now (None: no link)."""
        return self._known().get(pool)

    def load(self) -> None:
        """Reads the links as they are, if not yet (a readlink each: off the event loop)."""
        self._known()

    def set(self, targets: Mapping[Pool, Path]) -> None:
        """Points each pool's link at its target; a link of a user that is gone is not made."""
        known = self._known()
        for (account, version), target in sorted(targets.items()):
            if known.get((account, version)) == target:
                continue
            try:
                gid = pwd.getpwnam(account).pw_gid
            except KeyError:
                continue
            folder = self._folder(account, gid)
            link = folder / f"{version}.log"
            temporary = folder / f".{version}.{secrets.token_hex(_TEMPORARY_HEX)}"
            os.symlink(target, temporary)
            os.replace(temporary, link)
            known[(account, version)] = target

    def keep_only(self, pools: Set[Pool]) -> None:
        """Removes the links of the other pools, and the folders of accounts left with none."""
        known = self._known()
        for pool in sorted(set(known) - pools):
            account, version = pool
            with contextlib.suppress(FileNotFoundError):
                self.path(account, version).unlink()
            del known[pool]
            with contextlib.suppress(FileNotFoundError, OSError):
                (self._root / account).rmdir()  # refused while another version's link is there

    def _folder(self, account: str, gid: int) -> Path:
        self._root.mkdir(mode=0o711, parents=True, exist_ok=True)
        os.chmod(self._root, 0o711)  # noqa: S103 (accounts pass to their own folder only)
        folder = self._root / account
        folder.mkdir(mode=0o750, exist_ok=True)
        # The folder of an account of that name before (another gid) is this account's now.
        # Only root writes in the root folder: no link can be planted for these to follow.
        os.chown(folder, 0, gid)
        os.chmod(folder, 0o750)  # noqa: S103 (group: the account itself)
        return folder

    def _known(self) -> dict[Pool, Path]:
        """The links as they are, read once (only the agent changes them). A new link's
        temporary name that a crash left before its rename is removed on the way."""
        if self._targets is None:
            self._targets = {}
            folders = self._root.iterdir() if self._root.is_dir() else iter(())
            for folder in folders:
                if not ACCOUNT_NAME_PATTERN.fullmatch(folder.name):
                    continue
                for entry in folder.iterdir():  # one listing: the links and any leftover
                    if not entry.is_symlink():
                        continue
                    if _TEMPORARY_LINK.fullmatch(entry.name):
                        entry.unlink(missing_ok=True)
                        continue
                    version = entry.name.removesuffix(".log")
                    if entry.name.endswith(".log") and PHP_VERSION_PATTERN.fullmatch(version):
                        pool = (AccountName(folder.name), PhpVersion(version))
                        self._targets[pool] = Path(os.readlink(entry))
        return self._targets


class PhpPools:
    """Brings the pool files of each PHP version to the wanted set, shard by shard: each
    shard's files are checked, then its master alone is reloaded (or started, or stopped)."""

    def __init__(self, settings: PhpSettings) -> None:
        self._settings = settings
        self.limits = PoolLimitsFile(settings.root / "jopanel-pool-limits.json")
        self.error_logs = ErrorLogLinks(settings.error_links)
        # What each shard was last brought to, (version, shard) -> {(account, limits)}: a
        # change looks again only at the shards whose pools or limits it changes (at 5,000
        # accounts, reading and rendering every pool file took half of a change's time).
        self._done: dict[tuple[str, int], frozenset[tuple[str, PoolLimits]]] = {}

    async def ensure(self, wanted: Pools) -> None:
        """Creates missing pools (and drops those of vanished users, which break `-t`)."""
        for version, accounts in wanted.items():
            await self._converge(version, accounts, keep_others=True)

    async def prune(self, wanted: Pools) -> None:
        """Removes every JoPanel pool that is not wanted."""
        for version in self._versions_with_pools():
            await self._converge(version, wanted.get(version, set()), keep_others=False)

    async def recycle(self, account: AccountName, version: PhpVersion) -> None:
        """Replaces the workers of the account's pool and no other: each ends after its
        current request (SIGQUIT), and its master starts new ones as the pool asks, with the
        pool's own settings. The master and its OPcache stay, and so do the other accounts'
        workers. A worker is a child of the shard's master that runs as the account's user."""
        try:
            uid = pwd.getpwnam(account).pw_uid
        except KeyError:
            return
        master = self._master_pid(version, self._settings.shard(uid))
        if master is None:
            return
        await asyncio.to_thread(_quit_workers, master, uid)

    async def start(self) -> None:
        """At the agent's start: moves pools out of Debian's master and brings every shard's
        files and master to what its pools need (a sandbox started again, a master that died,
        an upgrade's new template; on a server, systemd starts the enabled masters itself)."""
        for version in self._versions_with_pools():
            legacy = (_account_of(path) for path in self._legacy(version))
            accounts = {account for account in legacy if account is not None}
            for pools in self._current(version).values():
                accounts.update(AccountName(account) for account in pools)
            try:
                await self._converge(version, accounts, keep_others=True)
            except AgentError as error:
                logger.error("php-fpm %s: %s", version, error.message)
            for shard in self._current(version):
                self._limit(version, shard)  # a master started before the limit, or another one

    async def _converge(
        self, version: PhpVersion, accounts: Set[AccountName], *, keep_others: bool
    ) -> None:
        uids = _uids()
        await self._move_legacy(version, uids)
        wanted: dict[int, set[AccountName]] = {}
        for account in accounts:
            if account in uids:  # the sites of a vanished user need no pool
                wanted.setdefault(self._settings.shard(uids[account]), set()).add(account)
        current = self._current(version)
        plans = []
        for shard in set(wanted) | set(current):
            mine = wanted.get(shard, set())
            pools = current.get(shard, {})
            removals = [
                path
                for account, path in pools.items()
                if account not in mine
                and (
                    not keep_others
                    or account not in uids  # a vanished user breaks `-t`
                    or self._settings.shard(uids[account]) != shard  # the name has another uid now
                )
            ]
            state = frozenset((account, self.limits.get(account)) for account in mine)
            if (
                not removals
                and set(pools) == mine
                and self._done.get((version, shard)) == state
                and self._master_pid(version, shard) is not None
            ):
                continue  # as this agent left it: its files are not read or rendered again
            plans.append((shard, mine, removals, state))
        # A pool leaves its old master before another master listens on its socket.
        for shard, mine, removals, state in sorted(plans, key=lambda p: (not p[2], p[0])):
            self._done.pop((version, shard), None)
            await self._converge_shard(version, shard, mine, current.get(shard, {}), removals)
            if mine:
                self._done[(version, shard)] = state

    async def _converge_shard(
        self,
        version: PhpVersion,
        shard: int,
        accounts: Set[AccountName],
        pools: Mapping[str, Path],
        removals: list[Path],
    ) -> None:
        settings = self._settings
        writes = {
            settings.pool_file(version, shard, account): render_pool(
                account,
                version,
                settings.run_dir,
                self.error_logs.path(account, version),
                self.limits.get(account),
            )
            for account in accounts
        }
        writes[settings.main_config(version, shard)] = render_master(settings, version, shard)
        writes = {path: text for path, text in writes.items() if _read(path) != text}
        for path in pools.values():
            _restrict(path)  # pool files written before they were root's alone
        if set(pools.values()) <= set(removals) and not accounts:
            await self._stop(version, shard)
            return
        sockets = self._sockets(version, accounts)
        running = self._master_pid(version, shard) is not None
        if writes or removals:
            await self._apply(version, shard, writes, removals)
        elif running and all(map(_is_socket, sockets)):
            return
        if running:
            await self._reload(version, shard, sockets)
        else:
            await self._start(version, shard, sockets)

    def _current(self, version: str) -> dict[int, dict[str, Path]]:
        """The pool files of each shard: shard -> account -> file."""
        shards: dict[int, dict[str, Path]] = {}
        for path in self._settings.shards_dir(version).glob(f"*/pool.d/{POOL_PREFIX}*.conf"):
            shard = path.parent.parent.name
            account = _account_of(path)
            if shard.isdigit() and account is not None:
                shards.setdefault(int(shard), {})[account] = path
        return shards

    def _legacy(self, version: str) -> list[Path]:
        return sorted(self._settings.legacy_pool_dir(version).glob(f"{POOL_PREFIX}*.conf"))

    def _versions_with_pools(self) -> list[PhpVersion]:
        return [v for v in installed_versions() if self._current(v) or self._legacy(v)]

    def _sockets(self, version: str, accounts: Iterable[str]) -> list[Path]:
        return [socket_path(self._settings.run_dir, account, version) for account in accounts]

    async def _move_legacy(self, version: PhpVersion, uids: Mapping[str, int]) -> None:
        """Moves the pools of Debian's master to the accounts' own masters (once, after an
        upgrade): out of Debian's master first, which lets their sockets go; the shards'
        masters then listen on them. Their requests fail for that second."""
        legacy = self._legacy(version)
        if not legacy:
            return
        for path in legacy:
            account = _account_of(path)
            text = _read(path)
            if account in uids and text is not None and account is not None:
                shard = self._settings.shard(uids[account])
                self._make_dirs(version, shard)
                target = self._settings.pool_file(version, shard, account)
                files.write_atomic(target, text, POOL_MODE)
            path.unlink(missing_ok=True)
        config = self._settings.legacy_config(version)
        pid = _master_pid(self._settings.legacy_pid_file(version), config)
        if pid is not None:
            completed = await self._test(version, config)
            if completed.returncode == 0:
                master = (self._settings.legacy_pid_file(version), config)
                await self._signal_reload(version, master, pid, [], "Debian's master")
            else:  # its own pools are broken: it keeps the old sockets until its next start
                logger.error("php-fpm %s: %s", version, _message(completed.stderr))
        logger.info("php-fpm %s: %d pools moved to their accounts' masters", version, len(legacy))

    async def _apply(
        self, version: str, shard: int, writes: dict[Path, str], removals: list[Path]
    ) -> None:
        """Writes and removes a shard's files, then checks them; the old files return on
        failure."""
        previous = {path: _read(path) for path in [*writes, *removals]}
        self._make_dirs(version, shard)
        for path, text in writes.items():
            files.write_atomic(path, text, POOL_MODE)
        for path in removals:
            path.unlink(missing_ok=True)
        try:
            completed = await self._test(version, self._settings.main_config(version, shard))
            if completed.returncode != 0:
                # Its words name the shard's pools, other accounts' among them: the log's.
                logger.error(
                    "php-fpm %s refused master %d's pools: %s",
                    version,
                    shard,
                    _message(completed.stderr),
                )
                raise FailedPrecondition(
                    f"php-fpm {version} refused the pool configuration; the agent's log says why"
                )
        except FailedPrecondition:
            for path, old in previous.items():
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    files.write_atomic(path, old, POOL_MODE)
            raise

    def _make_dirs(self, version: str, shard: int) -> None:
        """Root's alone: a pool file names its account, home and socket."""
        for path in (
            self._settings.shards_dir(version),
            self._settings.shard_dir(version, shard),
            self._settings.pool_dir(version, shard),
        ):
            path.mkdir(mode=0o700, exist_ok=True)

    async def _test(self, version: str, config: Path) -> process.Completed:
        argv = [f"php-fpm{version}", "-t", "--fpm-config", str(config)]
        return await process.run(argv, ok_codes=range(256), limits=self._settings.limits)

    def _master_pid(self, version: str, shard: int) -> int | None:
        config = self._settings.main_config(version, shard)
        return _master_pid(self._settings.pid_file(version, shard), config)

    async def _start(self, version: str, shard: int, sockets: list[Path]) -> None:
        """Starts the shard's master, and returns once it listens on every wanted socket."""
        settings = self._settings
        config = settings.main_config(version, shard)
        log = settings.log_file(version, shard)
        start = _size(log)
        if settings.supervisor == "systemd":
            template = settings.unit_template(version)
            text = render_unit(settings, version)
            if _read(template) != text:
                files.write_atomic(template, text, 0o644)
                await process.run(["systemctl", "daemon-reload"], limits=settings.limits)
            unit = template.name.replace("@", f"@{shard}")
            argv = ["systemctl", "enable", "--now", "--quiet", unit]
        else:  # the sandbox: php-fpm goes to the background once it serves (its own session)
            argv = [f"php-fpm{version}", "--fpm-config", str(config)]
        completed = await process.run(argv, ok_codes=range(256), limits=settings.limits)
        if completed.returncode != 0:
            why = _log_errors(log, start) or _message(completed.stderr)
            logger.error("php-fpm %s did not start master %d: %s", version, shard, why)
            raise FailedPrecondition(
                f"php-fpm {version} did not start its master {shard}; the agent's log says why"
            )
        await self._wait(version, (settings.pid_file(version, shard), config), None, sockets)
        self._limit(version, shard)
        logger.info("php-fpm %s: master %d started", version, shard)

    def _limit(self, version: str, shard: int) -> None:
        """The master's RLIMIT_NPROC, which its workers inherit: a worker runs as its account,
        so no account's scripts (a fork bomb through exec or proc_open) run more processes than
        `processes` at once, counting the account's cron jobs and shells. The master, as root,
        is not held to it; a reload's re-exec keeps it. On a server the unit sets it too."""
        pid = self._master_pid(version, shard)
        if pid is None:
            return
        limit = self._settings.processes
        try:
            if resource.prlimit(pid, resource.RLIMIT_NPROC) != (limit, limit):
                resource.prlimit(pid, resource.RLIMIT_NPROC, (limit, limit))
        except OSError as error:  # it ended meanwhile; the next start sets it
            logger.warning("php-fpm %s: master %d not limited: %s", version, shard, error)

    async def _stop(self, version: str, shard: int) -> None:
        """Stops the master of a shard that has no pool left, and removes its files."""
        settings = self._settings
        if settings.supervisor == "systemd":
            unit = settings.unit_template(version).name.replace("@", f"@{shard}")
            await process.run(
                ["systemctl", "disable", "--now", "--quiet", unit],
                ok_codes=range(256),
                limits=settings.limits,
            )
        pid = self._master_pid(version, shard)
        if pid is not None:  # SIGQUIT: running requests end first (process_control_timeout)
            os.kill(pid, signal.SIGQUIT)
            for _ in range(int(settings.limits.timeout * 100)):
                if not process.running(pid):
                    break
                await asyncio.sleep(0.01)
        shutil.rmtree(settings.shard_dir(version, shard), ignore_errors=True)
        logger.info("php-fpm %s: master %d stopped, its last pool gone", version, shard)

    async def _reload(self, version: str, shard: int, sockets: list[Path]) -> None:
        pid_file = self._settings.pid_file(version, shard)
        config = self._settings.main_config(version, shard)
        pid = _master_pid(pid_file, config)
        if pid is None:
            raise FailedPrecondition(f"php-fpm {version}: master {shard} is not running")
        log = self._settings.log_file(version, shard)
        await self._signal_reload(version, (pid_file, config), pid, sockets, f"master {shard}", log)

    async def _signal_reload(
        self,
        version: str,
        master: tuple[Path, Path],
        pid: int,
        sockets: list[Path],
        name: str,
        log: Path | None = None,
    ) -> None:
        """SIGUSR2 to a master (its pid file and configuration), then waits until it runs
        again with every wanted socket. Should it not, the error's detail (the agent's log,
        never the client: it may name other accounts' pools) is what the master wrote to its
        `log` meanwhile."""
        before = _identity(master[0])
        start = _size(log)
        os.kill(pid, signal.SIGUSR2)
        try:
            await self._wait(version, master, before, sockets, pid)
        except Internal as error:
            if log is None or error.detail:
                raise
            raise Internal(error.message, _log_errors(log, start) or "nothing in its log") from None
        logger.info("php-fpm %s: %s reloaded", version, name)

    async def _wait(
        self,
        version: str,
        master: tuple[Path, Path],
        before: tuple[int, int] | None,
        sockets: list[Path],
        pid: int | None = None,
    ) -> None:
        """Until the pid file was written anew, its master catches SIGUSR2 again (until then a
        second one would kill it) and every wanted socket exists."""
        # At least the web resource's timeout, which a slow machine raises (web_timeout); a
        # reload may wait for running requests (PROCESS_CONTROL_TIMEOUT).
        wait = max(RELOAD_TIMEOUT, self._settings.limits.timeout)
        deadline = asyncio.get_running_loop().time() + wait
        pid_file, config = master
        while True:
            current = _master_pid(pid_file, config)
            if (
                current is not None
                and _identity(pid_file) not in (before, None)
                and _catches_sigusr2(current)
                and all(map(_is_socket, sockets))
            ):
                return
            if pid is not None and not process.running(pid):
                # A master in the background (the sandbox's) forks anew at each reload, and
                # the pid it had ends once the new one runs: it exited only if no live master
                # wrote the pid file since (the new one may not be ready yet).
                successor = _pid_in(pid_file)
                if successor in (None, pid) or not process.running(successor):
                    raise Internal(f"php-fpm {version} exited while reloading; its log says why")
                pid = successor
            if asyncio.get_running_loop().time() > deadline:
                raise Internal(
                    f"php-fpm {version} did not finish starting or reloading; its log says why"
                )
            await asyncio.sleep(0.01)


def _account_of(pool: Path) -> AccountName | None:
    name = pool.name[len(POOL_PREFIX) : -len(".conf")]
    return AccountName(name) if ACCOUNT_NAME_PATTERN.fullmatch(name) else None


def _quit_workers(master: int, uid: int) -> None:
    """SIGQUIT to the master's children that run as `uid`, each through a pidfd taken before
    its parent and user are checked, so a pid used again by another process is never hit.
    Returns once each has taken the signal (or ended): until then an idle worker woken by a new
    connection may still accept it, and serve it with the values it held."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return
    signalled: list[tuple[int, int]] = []  # (pid, pidfd)
    try:
        for child in children:
            try:
                handle = os.pidfd_open(int(child))
            except OSError:  # gone already
                continue
            try:
                status = Path(f"/proc/{child}/status").read_text()
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                if int(fields["PPid"]) == master and int(fields["Uid"].split()[0]) == uid:
                    signal.pidfd_send_signal(handle, signal.SIGQUIT)
                    signalled.append((int(child), handle))
                    continue
            except (OSError, KeyError, ValueError):
                pass  # it ended meanwhile
            os.close(handle)
        _until_taken(signalled, QUIT_WAIT_SECONDS)
    finally:
        for _, handle in signalled:
            os.close(handle)


# How long a recycle waits for the signalled workers to take their SIGQUIT: a worker takes
# it as soon as it runs (its handler closes its listening socket), which a busy machine may
# put off for a moment.
QUIT_WAIT_SECONDS: Final = 5.0


def _until_taken(workers: list[tuple[int, int]], wait: float) -> None:
    """Returns once no worker has SIGQUIT pending any more (or has ended), or after `wait`."""
    deadline = time.monotonic() + wait
    while workers and time.monotonic() < deadline:
        workers = [(pid, handle) for pid, handle in workers if _quit_pending(pid, handle)]
        if workers:
            time.sleep(0.002)
    if workers:
        logger.warning("PHP-FPM workers %s had not taken SIGQUIT after %g s",
                       [pid for pid, _ in workers], wait)  # fmt: skip


def _quit_pending(pid: int, handle: int) -> bool:
    if select.select([handle], [], [], 0)[0]:  # a pidfd reads ready once its process ended
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    quit_bit = 1 << (signal.SIGQUIT - 1)
    return any(
        line.startswith(("SigPnd:", "ShdPnd:")) and int(line.split()[1], 16) & quit_bit
        for line in status.splitlines()
    )


def _uids() -> dict[str, int]:
    """Every user's uid, read once per change (getpwnam reads /etc/passwd anew per name)."""
    return {entry.pw_name: entry.pw_uid for entry in pwd.getpwall()}


def _size(log: Path | None) -> int:
    try:
        return 0 if log is None else log.stat().st_size
    except OSError:
        return 0


def _log_errors(log: Path, start: int) -> str:
    """The error lines a master wrote to its log since `start` (where a failed start says why)."""
    try:
        with log.open("rb") as stream:
            stream.seek(start)
            return _errors(stream.read(65536))
    except OSError:
        return ""


def _message(stderr: bytes) -> str:
    return _errors(stderr) or "php-fpm -t failed without a message"


def _errors(output: bytes) -> str:
    """php-fpm's error lines without timestamps or the closing 'initialization failed'."""
    lines = []
    for line in output.decode("utf-8", errors="replace").splitlines():
        match = _LOG_LINE.match(line.strip())
        if match and "FPM initialization failed" not in match[1]:
            lines.append(match[1])
    return process.excerpt("; ".join(lines), 1000)


def _pid_in(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _master_pid(pid_file: Path, config: Path) -> int | None:
    """The pid in the file if that process is the php-fpm master of `config` (a stale file
    names another process, maybe another master)."""
    pid = _pid_in(pid_file)
    try:
        cmdline = b"" if pid is None else Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    title = f"php-fpm: master process ({config})".encode()
    return pid if cmdline.rstrip(b"\0") == title else None


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
