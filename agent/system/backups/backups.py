"""Backups of accounts into the agent's restic repository, and their restores.

A backup is a set of restic snapshots tagged `jopanel`, `account=<name>`, `backup=<id>` and
`part=...`:

- `part=files`: the home, read through a bind mount of it at views/<account> that is
  read-only, nosuid, nodev, noexec and nosymfollow. restic walks the tree by path as root; on
  that mount no symbolic link is followed anywhere in a path, so an account that swaps one of
  its folders for a link to /etc while the backup runs gets the link backed up, not /etc.
- `part=database=<name>`: one per database, `mariadb-dump --single-transaction` piped into
  `restic backup --stdin` (the dump never touches a disk in between).
- `part=settings`: one JSON document made by the agent (settings.json): the manifest (what the
  backup holds: files, bytes, databases, zones, domains, cron jobs), the crontab's jobs, the DNS
  zones' records and the sites' settings, as the agent records them.
- `part=certificates`: certificates.json, each site's live key and chain, read by root from the
  agent's own files (agent/system/backups/certificates.py); never in a reply.

Backups and restores run one at a time (one lock), each to its end even if its caller hangs up
(work.Finisher). A restore writes files through extract.py, run as the account (setpriv to its
uid and gid, no group, no capability, no_new_privs); root only runs `restic dump` into its
standard input. Databases are loaded the same way: root runs `restic dump` into load.py, run
as the account, whose `mariadb` client logs in as a user that holds exactly the target database
(HostedDatabases.open_loader), so a dump cannot reach another database or MariaDB's own.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime
import json
import logging
import os
import pwd
import re
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias, TypeVar

import grpc

from agent.config import AgentConfig
from agent.errors import (
    AgentError,
    AlreadyExists,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
)
from agent.system.accounts import users
from agent.system.backups import certificates as backup_certificates
from agent.system.backups import records as panel_records
from agent.system.backups.records import PanelRecords
from agent.system.backups.remotes import Remotes
from agent.system.backups.repository import LOW_PRIORITY, Layout, Line, Restic, restic
from agent.system.base import process
from agent.system.base.work import Finisher
from agent.system.certificates.files import CertificateFiles
from agent.system.cron.crontab import CronJob, CronTables, cron_tables
from agent.system.databases.hosted import HostedDatabases, hosted_databases
from agent.system.dns import zonefile
from agent.system.dns.zones import DnsZones, dns_zones
from agent.system.names import NameOwners, name_owners
from agent.system.web import records
from agent.system.web.domains import WebDomains, web_domains
from agent.validators import cron as cron_validators
from agent.validators import databases as databases_validators
from agent.validators.accounts import AccountName
from agent.validators.backups import BackupId, HomePath, JobId, RepositoryName
from agent.validators.common import Hostname
from agent.validators.databases import DatabaseName
from agent.validators.dns import ZoneName

logger = logging.getLogger(__name__)

VERSION: Final = 1
SETTINGS_FILE: Final = "settings.json"
EXTRACT: Final = Path(__file__).with_name("extract.py")
LOAD: Final = Path(__file__).with_name("load.py")
# The system's own python3 runs extract.py as the account: the agent's virtualenv may not be
# readable by accounts, and extract.py needs the standard library only.
PYTHON: Final = "/usr/bin/python3"
_ACCOUNT_TAG: Final = re.compile(r"[a-z][a-z0-9_]{2,31}")
_TIME: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)")

T = TypeVar("T")
# The panel's own database (docs/backups.md, "The panel's own database"): its dumps carry
# these tags, hold one file, and are kept by this retention.
PANEL_DATABASE: Final = DatabaseName("jopanel")
PANEL_TAGS: Final = ("jopanel-panel", "part=panel-database")
PANEL_FILE: Final = "jopanel.sql"
# Nobody's uid runs the panel's load (load.py): no account's, and no power of its own.
PANEL_LOADER_USER: Final = "nobody"
Stage: TypeAlias = Literal["queued", "files", "databases", "settings", "done"]
Placement: TypeAlias = Literal["in_place", "beside"]


@dataclass(frozen=True)
class Progress:
    stage: Stage
    percent: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    files_done: int = 0
    files_total: int = 0


Report = Callable[[Progress], None]


class Cancelled(AgentError):
    """The work was stopped by CancelBackupJob."""

    code = grpc.StatusCode.CANCELLED


@dataclass(frozen=True)
class PanelDump:
    """One dump of the panel's own database in a repository."""

    id: str
    time: datetime.datetime
    bytes: int


@dataclass(frozen=True)
class Retention:
    """restic's --keep-daily, --keep-weekly and --keep-monthly, over whole backups."""

    daily: int
    weekly: int
    monthly: int


@dataclass(frozen=True)
class DatabaseDump:
    name: str
    dump_bytes: int
    added_bytes: int = 0  # not in the manifest: known only to the backup that made it


@dataclass(frozen=True)
class Manifest:
    backup: BackupId
    account: AccountName
    time: datetime.datetime
    home: str
    view: str  # the path the files snapshot holds the home under
    files: int
    bytes: int
    databases: tuple[DatabaseDump, ...]
    zones: tuple[str, ...]
    domains: tuple[str, ...]
    cron_jobs: int
    added_bytes: int = 0  # what the backup's snapshots added to the repository
    certificates: tuple[str, ...] = ()  # the sites whose key and chain it holds


@dataclass(frozen=True)
class BackupSettings:
    """What a backup holds besides files and databases, each entry validated again and the
    restoring account's (GetBackupSettings)."""

    manifest: Manifest
    cron_jobs: tuple[CronJob, ...]
    zones: tuple[zonefile.Zone, ...]
    sites: tuple[records.Site, ...]
    skipped: int  # entries left out: invalid, another account's, or a name another holds
    panel: PanelRecords | None = None  # the panel's records of the account, when it sent them


@dataclass(frozen=True)
class RepositoryAccount:
    """An account a repository holds backups of that no account here owns."""

    account: AccountName
    uid: int
    name_taken: bool  # an account of this name (another uid) exists here
    backups: tuple[Manifest, ...]


@dataclass(frozen=True)
class WholeAccount:
    pass


@dataclass(frozen=True)
class SiteFiles:
    domain: Hostname


@dataclass(frozen=True)
class OneDatabase:
    name: str


@dataclass(frozen=True)
class HomeFiles:
    path: HomePath


What: TypeAlias = WholeAccount | SiteFiles | OneDatabase | HomeFiles


@dataclass(frozen=True)
class Restored:
    folder: str = ""
    files: int = 0
    bytes: int = 0
    skipped: int = 0
    databases: tuple[str, ...] = ()
    crontab: bool = False
    zones: tuple[str, ...] = ()
    zones_skipped: int = 0
    certificates: tuple[str, ...] = ()
    certificates_skipped: tuple[str, ...] = ()


class Backups:
    """The agent's one Backups: one lock orders every backup and restore."""

    def __init__(
        self,
        restic: Restic,
        databases: HostedDatabases,
        cron: CronTables,
        zones: DnsZones,
        sites: WebDomains,
        names: NameOwners,
        limits: process.Limits,
        mariadb_socket: Path,
        remotes: Remotes | None = None,
        socket_root: Path = Path("/home/.apps"),
        certificate_files: CertificateFiles | None = None,
    ) -> None:
        self._certificate_files = certificate_files or CertificateFiles()
        self._restic = restic
        self.remotes = remotes or Remotes(restic.layout, limits)
        self._databases = databases
        self._cron = cron
        self._zones = zones
        self._sites = sites
        self._names = names
        self._limits = limits
        self._socket = mariadb_socket
        self._socket_root = socket_root  # sites' proxy sockets lie below it (records.from_json)
        self._lock = asyncio.Lock()
        self._finisher = Finisher()
        # "<repository> <settings snapshot id>" -> its manifest
        self._manifests: dict[str, Manifest] = {}
        self._jobs: dict[tuple[str, str], asyncio.Task[Any]] = {}  # (account, job id) -> work

    def at(self, repository: RepositoryName | None) -> Backups:
        """These Backups on a remote repository (None: the local one). The lock, the running
        jobs and the manifest cache are shared: one backup or restore at a time, whatever the
        repository."""
        if repository is None:
            return self
        other = copy.copy(self)
        other._restic = self.remotes.restic(repository)
        return other

    async def back_up(
        self,
        account: AccountName,
        report: Report,
        job: JobId | None = None,
        panel: PanelRecords | None = None,
    ) -> Manifest:
        return await self._run(account, job, self._back_up(account, report, panel), report)

    def cancel(self, account: AccountName, job: JobId) -> bool:
        """Cancels the account's work named `job`; False when none runs. Its restic and dump
        get SIGINT first (process.run_lines' interrupt_first)."""
        # Taken out at once: a second cancel must not interrupt the first one's cleanup.
        task = self._jobs.pop((account, job), None)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    async def forget(self, account: AccountName, retention: Retention) -> tuple[list[str], int]:
        """Forgets the account's backups the retention does not keep; (forgotten ids, kept)."""
        work = self._forget(account, retention)
        return await self._finisher.run(self._locked(work, lambda progress: None))

    async def prune(self) -> None:
        await self._finisher.run(self._locked(self._restic.prune(), lambda progress: None))

    async def back_up_panel(self) -> tuple[PanelDump, int]:
        """Dumps the panel's database into the repository; (the dump, how many old ones the
        retention forgot)."""
        return await self._finisher.run(self._locked(self._back_up_panel(), _quiet))

    async def panel_dumps(self) -> list[PanelDump]:
        found = await self._restic.snapshots(list(PANEL_TAGS))
        dumps = []
        for snapshot in found:
            node = await self._restic.node(str(snapshot["id"]), f"/{PANEL_FILE}")
            time = _snapshot_time(str(snapshot.get("time", "")))
            dumps.append(PanelDump(str(snapshot["id"]), time, int((node or {}).get("size", 0))))
        return sorted(dumps, key=lambda dump: dump.time, reverse=True)

    async def restore_panel(self, dump: str) -> None:
        await self._finisher.run(self._locked(self._restore_panel(dump), _quiet))

    async def _back_up_panel(self) -> tuple[PanelDump, int]:
        await self._restic.ensure()
        tags = ["--tag", ",".join(PANEL_TAGS), "--stdin", "--stdin-filename", PANEL_FILE]
        summary = await self._restic.backup(
            tags, lambda line: None, producer=self._dump_argv(PANEL_DATABASE)
        )
        dumps = await self.panel_dumps()
        kept = kept_backups({dump.id: dump.time for dump in dumps}, PANEL_RETENTION)
        gone = [dump.id for dump in dumps if dump.id not in kept]
        await self._restic.forget(gone)
        made = str(summary.get("snapshot_id", ""))
        newest = next((dump for dump in dumps if dump.id == made), dumps[0])
        return newest, len(gone)

    async def _restore_panel(self, dump: str) -> None:
        if dump not in {item.id for item in await self.panel_dumps()}:
            raise NotFound(f"the repository holds no dump of the panel's database {dump}")
        user, password = await self._databases.open_panel_loader(PANEL_DATABASE)
        await self._load_dump(
            pwd.getpwnam(PANEL_LOADER_USER),
            (user, password),
            PANEL_DATABASE,
            (dump, f"/{PANEL_FILE}"),
            "the dump did not load into the panel's database: MariaDB refused a statement "
            "of it; what came before it was loaded",
        )

    async def _run(
        self, account: AccountName, job: JobId | None, work: Coroutine[Any, Any, T], report: Report
    ) -> T:
        """Runs the work to its end (or its cancel), under the lock, named `job` if given."""
        if job is not None and (account, job) in self._jobs:
            work.close()
            raise AlreadyExists(f"job {job} runs already")
        locked = self._locked(work, report)
        task: asyncio.Task[T] = self._finisher.start(locked)
        if job is not None:
            key = (account, job)
            self._jobs[key] = task
            task.add_done_callback(lambda done: self._jobs.pop(key, None))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():  # CancelBackupJob, not a caller that hung up
                locked.close()  # cancelled before it began: never to run
                work.close()
                raise Cancelled(f"job {job} was cancelled") from None
            raise

    async def restore(
        self,
        account: AccountName,
        backup: BackupId,
        what: What,
        placement: Placement,
        report: Report,
        targets: Mapping[DatabaseName, DatabaseName] | None = None,
        job: JobId | None = None,
        source_uid: int | None = None,
    ) -> Restored:
        """`source_uid`: a whole-account restore in place of a backup made under that uid
        (another server's account of this name, or one deleted here; no user here has it)."""
        if source_uid is not None and (
            not isinstance(what, WholeAccount) or placement != "in_place"
        ):
            raise InvalidArgument("source_uid", "is only for a whole account, in place")
        restoring = self._restore(
            account, backup, what, placement, report, targets or {}, source_uid
        )
        return await self._run(account, job, restoring, report)

    async def list_backups(self, account: AccountName) -> list[Manifest]:
        entry = _require_account(account)
        found = await self._restic.snapshots([*_owner_tags(entry), "part=settings"])
        manifests = [await self._manifest(snapshot) for snapshot in found]
        return sorted(manifests, key=lambda manifest: manifest.time, reverse=True)

    async def settings(
        self, account: AccountName, backup: BackupId, source_uid: int | None = None
    ) -> BackupSettings:
        """The backup's cron jobs, zones and sites, read back as its restore reads them: every
        value through its validator, and only what is the account's to have now. With
        `source_uid` the account need not exist here yet: the gateway reads what an account of
        another server holds before it makes the account."""
        if source_uid is None:
            tags = _owner_tags(_require_account(account))
        else:
            tags = _foreign_tags(account, source_uid)
        manifest, parts = await self._find(account, tags, backup)
        document = json.loads(await self._restic.read(parts["settings"], f"/{SETTINGS_FILE}"))
        if not isinstance(document, dict):
            raise Internal("a backup's settings are not a document the agent wrote")
        jobs, bad_jobs = _valid(document.get("crontab"), _cron_job)
        zones, bad_zones = _valid(document.get("zones"), lambda item: self._own_zone(account, item))
        sites, bad_sites = _valid(document.get("sites"), lambda item: self._own_site(account, item))
        panel, bad_panel = _panel_records(document.get("records"), account)
        skipped = bad_jobs + bad_zones + bad_sites + bad_panel
        return BackupSettings(manifest, tuple(jobs), tuple(zones), tuple(sites), skipped, panel)

    async def repository_accounts(self) -> list[RepositoryAccount]:
        """Accounts with backups here (finished ones: with a settings part) that no account of
        this server owns by name and uid; by name, at most MAX_SETTINGS_ENTRIES."""
        found = await self._restic.snapshots(["jopanel", "part=settings"])
        owners: dict[tuple[str, int], list[Line]] = {}
        for snapshot in found:
            owner = _owner_of(snapshot)
            if owner is not None and not _owns(*owner):
                owners.setdefault(owner, []).append(snapshot)
        accounts = []
        for name, uid in sorted(owners)[:MAX_SETTINGS_ENTRIES]:
            manifests = [await self._manifest(item) for item in owners[(name, uid)]]
            manifests.sort(key=lambda manifest: manifest.time, reverse=True)
            accounts.append(
                RepositoryAccount(
                    AccountName(name), uid, users.is_account(AccountName(name)), tuple(manifests)
                )
            )
        return accounts

    def _own_zone(self, account: AccountName, item: object) -> zonefile.Zone:
        zone = zonefile.from_json(json.dumps(item).encode())
        self._require_names(account, [zone.name], zone.account)
        return zone

    def _own_site(self, account: AccountName, item: object) -> records.Site:
        site = records.from_json(json.dumps(item), str(self._socket_root))
        self._require_names(account, [site.name, *site.aliases], site.account)
        return site

    def _require_names(self, account: AccountName, names: list[str], holder: str) -> None:
        """Raises ValueError unless the entry names the account and every name is the
        account's to claim now (another account may hold it, or a name above or below it)."""
        if holder != account:
            raise ValueError("the entry is another account's")
        try:
            with self._names.claiming(names, account, "settings"):
                pass
        except AgentError as error:
            raise ValueError(str(error)) from None

    async def _forget(self, account: AccountName, retention: Retention) -> tuple[list[str], int]:
        entry = _require_account(account)
        found = await self._restic.snapshots(_owner_tags(entry))
        parts: dict[str, list[str]] = {}  # backup id -> its snapshots
        finished: dict[str, datetime.datetime] = {}  # backup id -> its time, when it has settings
        for snapshot in found:
            tags = [tag for tag in snapshot.get("tags") or [] if isinstance(tag, str)]
            backup = next((tag[7:] for tag in tags if tag.startswith("backup=")), None)
            if backup is None:
                continue
            parts.setdefault(backup, []).append(str(snapshot["id"]))
            if "part=settings" in tags:
                finished[backup] = _snapshot_time(str(snapshot.get("time", "")))
        # Under the lock no backup runs: parts without settings are from one that never ended.
        kept = kept_backups(finished, retention)
        forgotten = sorted(backup for backup in parts if backup not in kept)
        await self._restic.forget([id_ for backup in forgotten for id_ in parts[backup]])
        return forgotten, len(kept)

    async def _locked(self, work: Any, report: Report) -> Any:
        if self._lock.locked():
            report(Progress("queued"))
        async with self._lock:
            return await work

    async def _back_up(
        self, account: AccountName, report: Report, panel: PanelRecords | None
    ) -> Manifest:
        entry = _require_account(account)
        await self._restic.ensure()
        backup = BackupId(secrets.token_hex(16))
        tags = [*_owner_tags(entry), f"backup={backup}"]
        started = datetime.datetime.now(datetime.UTC)
        report(Progress("files"))
        view = self._restic.layout.view_dir / account
        async with read_only_view(Path(entry.pw_dir), view, self._limits):
            summary = await self._restic.backup(
                ["--tag", ",".join([*tags, "part=files"]), str(view)], _status(report, "files")
            )
        dumps = await self._dump_databases(account, tags, report)
        report(Progress("settings"))
        settings = await self._settings(account)
        certificates = await self._back_up_certificates(account, tags, report)
        if panel is not None:
            settings["records"] = panel_records.to_json(panel)
        manifest = Manifest(
            backup=backup,
            account=account,
            time=started,
            home=entry.pw_dir,
            view=str(view),
            files=int(summary.get("total_files_processed", 0)),
            bytes=int(summary.get("total_bytes_processed", 0)),
            databases=tuple(dumps),
            zones=tuple(zone["name"] for zone in settings["zones"]),
            domains=tuple(site["name"] for site in settings["sites"]),
            cron_jobs=len(settings["crontab"]),
            added_bytes=int(summary.get("data_added", 0)) + sum(dump.added_bytes for dump in dumps),
            certificates=tuple(certificates),
        )
        # Indented, as certificates.json is: restic's output is read back in lines of at most
        # 1 MiB, and an account with many zone records or cron jobs would pass that on one line.
        document = json.dumps(
            {"version": VERSION, "manifest": _manifest_json(manifest), **settings}, indent=1
        )
        await self._restic.backup(
            [
                "--tag",
                ",".join([*tags, "part=settings"]),
                "--stdin",
                "--stdin-filename",
                SETTINGS_FILE,
            ],
            _status(report, "settings"),
            stdin=document.encode(),
        )
        report(
            Progress("done", 100, manifest.bytes, manifest.bytes, manifest.files, manifest.files)
        )
        return manifest

    async def _dump_databases(
        self, account: AccountName, tags: list[str], report: Report
    ) -> list[DatabaseDump]:
        databases = await self._databases.list_databases(account)
        dumps = []
        for index, database in enumerate(databases):
            report(Progress("databases", index * 100 // len(databases)))
            summary = await self._restic.backup(
                [
                    "--tag",
                    ",".join([*tags, f"part=database={database.name}"]),
                    "--stdin",
                    "--stdin-filename",
                    f"{database.name}.sql",
                ],
                lambda line: None,
                producer=self._dump_argv(database.name),
            )
            dumps.append(
                DatabaseDump(
                    database.name,
                    int(summary.get("total_bytes_processed", 0)),
                    int(summary.get("data_added", 0)),
                )
            )
        return dumps

    def _dump_argv(self, database: str) -> list[str]:
        # --single-transaction: one consistent snapshot of InnoDB tables without locking them.
        return [
            *LOW_PRIORITY,
            "mariadb-dump",
            f"--socket={self._socket}",
            "--user=root",
            "--single-transaction",
            "--routines",
            "--triggers",
            "--events",
            "--hex-blob",
            "--default-character-set=utf8mb4",
            database,
        ]

    async def _back_up_certificates(
        self, account: AccountName, tags: list[str], report: Report
    ) -> list[str]:
        """The certificates part (none when no site of the account has a certificate): read
        by root from the agent's own files, into the same encrypted repository."""
        sites, _ = await self._sites.page(account, None, MAX_SETTINGS_ENTRIES)
        entries = backup_certificates.collect(sites, self._certificate_files)
        if not entries:
            return []
        await self._restic.backup(
            [
                "--tag",
                ",".join([*tags, "part=certificates"]),
                "--stdin",
                "--stdin-filename",
                backup_certificates.FILE,
            ],
            _status(report, "settings"),
            stdin=backup_certificates.document(entries),
        )
        return [str(entry["domain"]) for entry in entries]

    async def _settings(self, account: AccountName) -> dict[str, Any]:
        jobs = await self._cron.list(account)
        zones = [
            json.loads(zonefile.to_json(await self._zones.get(ZoneName(name))))
            for name, holder in list(self._zones.held())
            if holder == account
        ]
        # By the account's sites, not by the names it holds: get() knows a site by its name,
        # never by an alias (an account with an alias could not be backed up before).
        own, _ = await self._sites.page(account, None, MAX_SETTINGS_ENTRIES)
        sites = [json.loads(records.to_json(site)) for site in own]
        return {
            "crontab": [dataclasses.asdict(job) for job in jobs],
            "zones": zones,
            "sites": sites,
        }

    async def _manifest(self, snapshot: Line) -> Manifest:
        snapshot_id = str(snapshot["id"])
        key = f"{self._restic.name} {snapshot_id}"
        if key not in self._manifests:
            text = await self._restic.read(snapshot_id, f"/{SETTINGS_FILE}")
            self._manifests[key] = _manifest_from(json.loads(text)["manifest"])
        return self._manifests[key]

    async def _find(
        self, account: str, tags: list[str], backup: BackupId
    ) -> tuple[Manifest, dict[str, str]]:
        """The backup's manifest and its snapshots by part, among the snapshots with `tags`
        (an account's own: _owner_tags; another server's of its name: _foreign_tags)."""
        found = await self._restic.snapshots([*tags, f"backup={backup}"])
        parts: dict[str, str] = {}
        for snapshot in found:
            for tag in snapshot.get("tags") or []:
                if isinstance(tag, str) and tag.startswith("part="):
                    parts[tag.removeprefix("part=")] = str(snapshot["id"])
        if "settings" not in parts:
            raise NotFound(f"account {account} has no backup {backup}")
        settings = next(item for item in found if str(item["id"]) == parts["settings"])
        return await self._manifest(settings), parts

    async def _restore(
        self,
        account: AccountName,
        backup: BackupId,
        what: What,
        placement: Placement,
        report: Report,
        targets: Mapping[DatabaseName, DatabaseName],
        source_uid: int | None = None,
    ) -> Restored:
        entry = _require_account(account)
        tags = _owner_tags(entry) if source_uid is None else _foreign_tags(account, source_uid)
        manifest, parts = await self._find(account, tags, backup)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        beside = f"restored-{stamp}" if placement == "beside" else ""
        if isinstance(what, OneDatabase):
            name = await self._restore_database(
                account, manifest, parts, what.name, placement, targets
            )
            report(Progress("done", 100))
            return Restored(databases=(name,))
        relative = "" if isinstance(what, WholeAccount) else _relative(what)
        files = await self._restore_files(entry, manifest, parts["files"], relative, beside, report)
        if not isinstance(what, WholeAccount):
            report(Progress("done", 100, files.bytes, files.bytes, files.files, files.files))
            return files
        report(Progress("databases"))
        names = [
            await self._restore_database(account, manifest, parts, dump.name, placement, targets)
            for dump in manifest.databases
        ]
        if placement == "beside":  # a crontab or a zone has no "beside": they stay as they are
            report(Progress("done", 100, files.bytes, files.bytes, files.files, files.files))
            return dataclasses.replace(files, databases=tuple(names))
        report(Progress("settings"))
        document = json.loads(await self._restic.read(parts["settings"], f"/{SETTINGS_FILE}"))
        crontab = await self._restore_crontab(account, document)
        zones, skipped = await self._restore_zones(account, document)
        certificates = await self._restore_certificates(account, parts.get("certificates"))
        report(Progress("done", 100, files.bytes, files.bytes, files.files, files.files))
        return dataclasses.replace(
            files,
            databases=tuple(names),
            crontab=crontab,
            zones=tuple(zones),
            zones_skipped=skipped,
            certificates=tuple(certificates.installed),
            certificates_skipped=tuple(certificates.skipped),
        )

    async def _restore_files(
        self,
        entry: pwd.struct_passwd,
        manifest: Manifest,
        snapshot: str,
        relative: str,
        beside: str,
        report: Report,
    ) -> Restored:
        source = f"{manifest.view}/{relative}" if relative else manifest.view
        node = await self._restic.node(snapshot, source)
        if node is None and relative:
            raise NotFound(f"the backup holds no {relative}")
        home = entry.pw_dir
        target = os.path.join(home, beside, relative) if relative or beside else home
        total = manifest.bytes if not relative else int((node or {}).get("size", 0))
        report(Progress("files", 0, 0, total))
        counts: dict[str, int] = {}

        def line(raw: bytes) -> None:
            parsed = json.loads(raw)
            counts.update({key: int(parsed.get(key, 0)) for key in ("files", "bytes", "skipped")})
            if "error" in parsed:
                counts["error"] = 1 if parsed["error"] == "quota" else 2
            percent = min(99, counts.get("bytes", 0) * 100 // total) if total else 0
            report(
                Progress("files", percent, counts.get("bytes", 0), total, counts.get("files", 0))
            )

        if node is not None and node.get("type") == "file":
            mode = int(node.get("mode", 0o600)) & 0o777
            extract = ["file", target, f"{mode:o}"]
        else:
            extract = ["tar", target, source.lstrip("/"), home]
        try:
            await process.run_lines(
                _as_account(entry, [PYTHON, "-I", str(EXTRACT), *extract]),
                limits=self._limits,
                on_line=line,
                producer=self._restic.dump_argv(snapshot, source),
                interrupt_first=True,
                producer_env=self._restic.env,
            )
        except process.CommandFailed as error:
            if counts.get("error") == 1:
                raise FailedPrecondition(
                    "the account's disk quota is used up: free space or raise its quota; "
                    "what fit was restored"
                ) from error
            raise
        folder = "/".join(part for part in (beside, relative) if part) or "."
        return Restored(
            folder, counts.get("files", 0), counts.get("bytes", 0), counts.get("skipped", 0)
        )

    async def _restore_database(
        self,
        account: AccountName,
        manifest: Manifest,
        parts: dict[str, str],
        name: str,
        placement: Placement,
        targets: Mapping[DatabaseName, DatabaseName],
    ) -> str:
        snapshot = parts.get(f"database={name}")
        if snapshot is None or name not in {dump.name for dump in manifest.databases}:
            raise NotFound(f"the backup holds no database {name}")
        target = databases_validators.database_name(name, account, "database")
        if placement == "beside":
            chosen = targets.get(target)
            if chosen in {dump.name for dump in manifest.databases}:
                raise InvalidArgument("database_targets", "must not load into a backed-up database")
            target = chosen or DatabaseName(f"{account}_r{secrets.token_hex(3)}")
        await self._databases.create_database(account, target)
        await self._load(_require_account(account), target, snapshot, name)
        return target

    async def _load(
        self, entry: pwd.struct_passwd, target: DatabaseName, snapshot: str, name: str
    ) -> None:
        """Loads the dump as the account, logged in as the target's loader (load.py)."""
        user, password = await self._databases.open_loader(AccountName(entry.pw_name), target)
        await self._load_dump(
            entry,
            (user, password),
            target,
            (snapshot, f"/{name}.sql"),
            f"the backup's dump of {name} did not load into {target}: MariaDB refused a "
            "statement of it (one only MariaDB's root may run, or a damaged dump); "
            "what came before it was loaded",
        )

    async def _load_dump(
        self,
        entry: pwd.struct_passwd,
        login: tuple[str, str],
        database: DatabaseName,
        source: tuple[str, str],
        refused: str,
    ) -> None:
        """`restic dump` of (snapshot, path) piped into load.py run as `entry`, logged in as
        the loader `login` opened for `database`, which is closed again whatever happens."""
        options = _loader_options(self._restic.layout.load_dir, entry, self._socket, *login)
        try:
            await process.run_lines(
                _as_account(entry, [PYTHON, "-I", str(LOAD), str(options), database]),
                limits=self._limits,
                on_line=lambda line: None,
                producer=self._restic.argv("dump", *source),
                interrupt_first=True,
                producer_env=self._restic.env,
            )
        except process.CommandFailed as error:
            if error.argv[:1] != (PYTHON,):
                raise
            raise FailedPrecondition(refused) from error
        finally:
            options.unlink(missing_ok=True)
            await self._databases.close_loader(database)

    async def _restore_certificates(
        self, account: AccountName, snapshot: str | None
    ) -> backup_certificates.Outcome:
        """Installs the backup's certificates again through ImportCertificate's checks; the
        part is read whole (at most MAX_DOCUMENT) before anything is installed."""
        outcome = backup_certificates.Outcome()
        if snapshot is None:
            return outcome
        try:
            raw = await self._restic.read(
                snapshot, f"/{backup_certificates.FILE}", backup_certificates.MAX_DOCUMENT
            )
        except (AgentError, ValueError) as error:  # ValueError: a line past the reader's limit
            logger.info("restore of %s: the certificates part not read: %s", account, error)
            outcome.skip("the certificates part", "it could not be read or is too large")
            return outcome
        items = backup_certificates.entries_of(raw, outcome)
        await backup_certificates.install(
            items, account, self._sites, self._certificate_files, outcome
        )
        return outcome

    async def _restore_crontab(self, account: AccountName, document: dict[str, Any]) -> bool:
        for job in document.get("crontab", []):
            # The backup is data like any other: every job passes the validators again.
            await self._cron.put(account, _cron_job(job))
        return True

    async def _restore_zones(
        self, account: AccountName, document: dict[str, Any]
    ) -> tuple[list[str], int]:
        """Serves each zone of the backup again with its records, through the same checks as
        CreateDnsZone: the record must read as a valid zone of this account, and the name must
        be the account's to claim now (another account may have taken it since)."""
        restored: list[str] = []
        skipped = 0
        for entry in document.get("zones", []):
            try:
                zone = zonefile.from_json(json.dumps(entry).encode())
                if zone.account != account:
                    raise FailedPrecondition("the zone is another account's")
                with self._names.claiming([zone.name], account, "zones"):
                    await self._zones.create_zone(zone.name, account, list(zone.records.values()))
            except (ValueError, AgentError) as error:
                logger.info("restore of %s: zone left out: %s", account, error)
                skipped += 1
                continue
            restored.append(zone.name)
        return restored, skipped


PANEL_RETENTION: Final = Retention(daily=7, weekly=4, monthly=12)
# A settings document lists at most this many entries of a kind (cron allows 1000 jobs).
MAX_SETTINGS_ENTRIES: Final = 1000


def _cron_job(job: Any) -> CronJob:
    """A job of a backup's crontab through the cron validators (InvalidArgument when bad)."""
    return CronJob(
        id=cron_validators.cron_job_id(str(job["id"]), "crontab.id"),
        schedule=cron_validators.cron_schedule(str(job["schedule"]), "crontab.schedule"),
        command=cron_validators.cron_command(str(job["command"]), "crontab.command"),
        enabled=bool(job["enabled"]),
    )


def _valid(items: object, read: Callable[[Any], T]) -> tuple[list[T], int]:
    """The entries `read` accepts, and how many it refused (a crafted document may hold
    anything: a wrong type, a bad value, another account's name, too many entries)."""
    if not isinstance(items, list):
        return [], 0 if items is None else 1
    accepted: list[T] = []
    refused = max(0, len(items) - MAX_SETTINGS_ENTRIES)
    for item in items[:MAX_SETTINGS_ENTRIES]:
        try:
            accepted.append(read(item))
        except (AgentError, ValueError, KeyError, TypeError, AttributeError) as error:
            logger.info("a backup's settings entry left out: %s", error)
            refused += 1
    return accepted, refused


def _quiet(progress: Progress) -> None:
    pass


def kept_backups(times: Mapping[str, datetime.datetime], keep: Retention) -> set[str]:
    """The backups a retention keeps, as restic's --keep-daily/weekly/monthly count them: the
    newest backup of each of the newest N days (ISO weeks, months) that have one, in UTC; and
    always the newest backup of all."""
    newest_first = sorted(times, key=lambda backup: times[backup], reverse=True)
    kept = set(newest_first[:1])
    buckets: tuple[tuple[int, Callable[[datetime.datetime], object]], ...] = (
        (keep.daily, lambda time: time.date()),
        (keep.weekly, lambda time: time.isocalendar()[:2]),
        (keep.monthly, lambda time: (time.year, time.month)),
    )
    for count, bucket_of in buckets:
        seen: set[object] = set()
        for backup in newest_first:
            bucket = bucket_of(times[backup])
            if len(seen) >= count:
                break
            if bucket not in seen:
                seen.add(bucket)
                kept.add(backup)
    return kept


def _snapshot_time(text: str) -> datetime.datetime:
    """restic's snapshot time (nanoseconds, which fromisoformat does not take) in UTC."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise Internal(f"restic gave a snapshot time it does not write: {text[:40]!r}")
    whole, fraction, zone = match.groups()
    stamp = f"{whole}.{(fraction or '0')[:6]:0<6}{'+00:00' if zone == 'Z' else zone}"
    return datetime.datetime.fromisoformat(stamp).astimezone(datetime.UTC)


def _owner_tags(entry: pwd.struct_passwd) -> list[str]:
    """The tags that make a backup an account's: its name and its uid. A uid is never given
    twice (docs/agent.md), so an account made later with a deleted one's name does not get the
    deleted account's backups."""
    return ["jopanel", f"account={entry.pw_name}", f"uid={entry.pw_uid}"]


def _foreign_tags(account: str, uid: int) -> list[str]:
    """The tags of backups made under the account's name and another uid, which no user of
    this server may have (else they are that user's, whoever is named)."""
    if uid_taken(uid):
        raise InvalidArgument("source_uid", "is the uid of a user of this server")
    return ["jopanel", f"account={account}", f"uid={uid}"]


def uid_taken(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _owner_of(snapshot: Line) -> tuple[str, int] | None:
    """(account, uid) from a snapshot's tags, when both are there and well formed."""
    tags = [tag for tag in snapshot.get("tags") or [] if isinstance(tag, str)]
    name = next((tag[8:] for tag in tags if tag.startswith("account=")), "")
    uid = next((tag[4:] for tag in tags if tag.startswith("uid=")), "")
    if not _ACCOUNT_TAG.fullmatch(name) or not uid.isdigit() or len(uid) > 10:
        return None
    return name, int(uid)


def _owns(name: str, uid: int) -> bool:
    """Whether an account of this server is the one the backups were made for."""
    return users.is_account(AccountName(name)) and pwd.getpwnam(name).pw_uid == uid


def _panel_records(raw: object, account: AccountName) -> tuple[PanelRecords | None, int]:
    """The panel's records in a backup's settings, validated again (None, 1 when they are
    not valid; None, 0 when the backup has none)."""
    if raw is None:
        return None, 0
    try:
        return panel_records.read(raw, account), 0
    except AgentError as error:
        logger.info("a backup's panel records left out: %s", error)
        return None, 1


def _relative(what: SiteFiles | HomeFiles) -> str:
    return f"web/{what.domain}" if isinstance(what, SiteFiles) else what.path


def _status(report: Report, stage: Stage) -> Callable[[Line], None]:
    def status(line: Line) -> None:
        report(
            Progress(
                stage,
                min(100, int(float(line.get("percent_done", 0)) * 100)),
                int(line.get("bytes_done", 0)),
                int(line.get("total_bytes", 0)),
                int(line.get("files_done", 0)),
                int(line.get("total_files", 0)),
            )
        )

    return status


def _as_account(entry: pwd.struct_passwd, argv: list[str]) -> list[str]:
    """argv as the account: its uid and gid, no other group, no capability, and no way to gain
    one (no_new_privs: a setuid program it runs stays the account's)."""
    return [
        "setpriv",
        f"--reuid={entry.pw_uid}",
        f"--regid={entry.pw_gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
        *argv,
    ]


@asynccontextmanager
async def read_only_view(home: Path, view: Path, limits: process.Limits) -> AsyncIterator[None]:
    if _prepare_mount_point(view):  # left mounted by an agent that stopped halfway
        await process.run(["umount", str(view)], limits=limits)
    options = "ro,nosuid,nodev,noexec,nosymfollow"
    await process.run(["mount", "--bind", "-o", options, str(home), str(view)], limits=limits)
    try:
        yield
    finally:
        await process.run(["umount", str(view)], limits=limits)


def _prepare_mount_point(view: Path) -> bool:
    """Makes the mount point; whether something is mounted on it already."""
    view.mkdir(mode=0o700, exist_ok=True)
    return os.path.ismount(view)


def _loader_options(
    folder: Path, entry: pwd.struct_passwd, socket: Path, user: str, password: str
) -> Path:
    """A client option file for one load, readable by the account alone (load.py runs as the
    account). The account may read the loader's password: it opens only the account's own
    database, and is replaced when the load ends."""
    folder.mkdir(mode=0o711, parents=True, exist_ok=True)
    os.chmod(folder, 0o711)  # noqa: S103 (traversable, not listable: see the docstring)
    path = folder / f"{secrets.token_hex(16)}.cnf"
    text = f"[client]\nsocket={socket}\nuser={user}\npassword={password}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o400)
    try:
        os.fchown(descriptor, entry.pw_uid, entry.pw_gid)
        os.write(descriptor, text.encode())
    finally:
        os.close(descriptor)
    return path


def _require_account(account: AccountName) -> pwd.struct_passwd:
    if not users.is_account(account):
        raise FailedPrecondition(f"account {account} does not exist")
    return pwd.getpwnam(account)


def _manifest_json(manifest: Manifest) -> dict[str, Any]:
    record = dataclasses.asdict(manifest)
    record["time"] = manifest.time.isoformat()
    return record


def _manifest_from(record: dict[str, Any]) -> Manifest:
    try:
        return Manifest(
            backup=BackupId(str(record["backup"])),
            account=AccountName(str(record["account"])),
            time=datetime.datetime.fromisoformat(str(record["time"])),
            home=str(record["home"]),
            view=str(record["view"]),
            files=int(record["files"]),
            bytes=int(record["bytes"]),
            databases=tuple(
                DatabaseDump(str(item["name"]), int(item["dump_bytes"]))
                for item in record["databases"]
            ),
            zones=tuple(str(name) for name in record["zones"]),
            domains=tuple(str(name) for name in record["domains"]),
            cron_jobs=int(record["cron_jobs"]),
            added_bytes=int(record.get("added_bytes", 0)),
            certificates=tuple(str(name) for name in record.get("certificates", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise Internal("a backup's manifest is not one the agent wrote", str(error)) from None


def backups(config: AgentConfig, layout: Layout | None = None) -> Backups:
    return Backups(
        restic(config, layout),
        hosted_databases(config),
        cron_tables(config),
        dns_zones(config),
        web_domains(config),
        name_owners(config),
        config.limits("backup"),
        config.mariadb_socket,
        socket_root=config.app_socket_dir,
    )
