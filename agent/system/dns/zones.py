"""DNS zones of accounts: the system side of DnsZoneService.

Each zone's record (/var/lib/jopanel/dns/<zone>.json, root only) is what should be served; zone
files and the zone list that named reads are written whole from the records (bind.py,
zonefile.py). The records are read once, at the first call after a start.

Every change is a small function of one zone (the zone as it stands, or None) that returns the
zone as it should be. Changes queue up; a single worker (work.Batcher) takes all that are queued
(after a batch of several, once its callers are back) and applies each zone's changes in order.
Then, per zone that changed: one new serial, one staged file, one `named-checkzone` and one
rename; for zones added or removed, one zones.conf, one `named-checkconf` and one `rndc
reconfig`, and for the zones changed one `rndc reload` (of the zone, when it is the only one),
for the whole batch. Each call returns once named serves the serial that carries its change.
When named-checkzone refuses a zone that several changes touched, they are tried one at a time
so only the offending ones fail; a refused zone stays as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import functools
import logging
import os
import secrets
import stat
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeAlias, TypeVar

from agent.config import AgentConfig
from agent.errors import AgentError, AlreadyExists, FailedPrecondition, Internal, NotFound
from agent.system.accounts import users
from agent.system.base import files
from agent.system.base.staging import check_batch
from agent.system.base.work import Batcher, Finisher, Pending
from agent.system.dns import bind, catalog, dns_query
from agent.system.dns.bind import Layout, Rndc, ZoneRejected
from agent.system.dns.catalog import CATALOG_ZONE
from agent.system.dns.zonefile import (
    MAX_RECORDS,
    MAX_ZONE_BYTES,
    Record,
    RecordData,
    Soa,
    Zone,
    conflicts,
    from_json,
    next_serial,
    record_bytes,
    render,
    to_json,
)
from agent.validators import dns as dns_validators
from agent.validators.accounts import AccountName
from agent.validators.dns import DnsRecordId, RecordName, ZoneName
from jopanel_rules.hostnames import first_below

logger = logging.getLogger(__name__)

RECORD_DIR: Final = Path("/var/lib/jopanel/dns")
RECORD_MODE: Final = 0o600
# How long the worker waits for more changes before it starts a batch: the latency one call
# pays so that calls arriving together share one check and one reload.
# named-checkzone and rndc runs at once: they are short processes, mostly waiting.
CONCURRENCY: Final = 2 * (os.cpu_count() or 1)
# How long a reload may take to show in named before the agent calls it failed.
LOAD_TIMEOUT: Final = 30.0
QUERY_TIMEOUT: Final = 1.0

# A change of one zone: the zone as it should be (None: not served) and the record it made.
Change: TypeAlias = Callable[[Zone | None], tuple[Zone | None, Record | None]]
Outcome: TypeAlias = tuple[Record | None, Zone | None]  # what a caller gets back
T = TypeVar("T")


@dataclass(frozen=True)
class _ZoneChange:
    zone: ZoneName
    change: Change


_Pending: TypeAlias = Pending[_ZoneChange, Outcome]


@dataclass
class _Plan:
    """One zone's part of a batch."""

    name: ZoneName
    before: Zone | None
    after: Zone | None
    done: list[tuple[_Pending, Record | None]] = field(default_factory=list)
    stale: bool = False  # its file differs from its record (a crash, new SOA settings)
    staged: Path | None = None  # the checked new zone file, not yet in place
    error: AgentError | None = None

    @property
    def changed(self) -> bool:
        return self.stale or self.after != self.before

    def fail(self, error: AgentError) -> None:
        for pending, _ in self.done:
            pending.fail(error)
        self.done = []
        self.after = self.before
        self.error = error

    def succeed(self) -> None:
        for pending, result in self.done:
            pending.succeed((result, self.after))


class DnsZones:
    """The zones of every account. The agent holds one instance: one worker orders changes."""

    def __init__(self, config: AgentConfig, record_dir: Path = RECORD_DIR) -> None:
        self._layout = Layout.from_config(config)
        self._rndc = Rndc(self._layout)
        self._dns_port = config.dns_port
        self._soa = Soa(config.dns_nameservers, config.dns_hostmaster)
        self._record_dir = record_dir
        self._zones: dict[ZoneName, Zone] | None = None  # the records, once read
        self._gid: int | None = None  # group bind, once the folders are checked
        self._stale: set[ZoneName] = set()
        self._conf_stale = False
        self._catalog_changed = False  # rewritten, not yet reloaded (_reload_catalog)
        self._served: dict[ZoneName, int] = {}  # the serial named is known to serve
        self._changes: Batcher[_ZoneChange, Outcome] = Batcher(self._apply, "DNS")
        self._removing: set[AccountName] = set()  # accounts being deleted: no new zones
        self._finisher = Finisher()
        self.reloads = 0  # rndc reloads and reconfigs, for the tests and the benchmark
        self.catalog_reloads = 0  # and of the catalog, after a reconfig (_reload_catalog)

    async def get(self, name: ZoneName) -> Zone:
        zone = self._state().get(name)
        if zone is None:
            raise NotFound(f"zone {name} does not exist")
        return zone

    def holder(self, name: str) -> AccountName | None:
        """The account whose zone has this name, if any (names.py)."""
        zone = self._state().get(ZoneName(name))
        return None if zone is None else zone.account

    def held(self) -> Iterator[tuple[str, AccountName]]:
        """Every zone served, with its account (names.py)."""
        return ((zone.name, zone.account) for zone in list(self._state().values()))

    def held_below(self, name: str, account: AccountName) -> str | None:
        """A zone of another account below `name`, if any (names.py): a scan of the zones,
        about 1 ms at 5,000, beside the zone check and reload every claim pays."""
        return first_below(self.held(), name, account)

    async def page(
        self, account: AccountName | None, after: str | None, limit: int
    ) -> tuple[list[Zone], bool]:
        """Up to `limit` zones in name order after `after`, and whether more follow."""
        chosen = sorted(
            (
                zone
                for zone in self._state().values()
                if (account is None or zone.account == account)
                and (after is None or zone.name > after)
            ),
            key=lambda zone: zone.name,
        )
        return chosen[:limit], len(chosen) > limit

    async def create_zone(
        self, name: ZoneName, account: AccountName, records: list[Record]
    ) -> Zone:
        """Serves the zone with these records, or sets them when the account has it already."""
        self._require_nameservers()
        if not users.is_account(account):
            raise FailedPrecondition(f"account {account} does not exist; create it first")
        if name not in self._state() and await self._served_serial(name) is not None:
            raise FailedPrecondition(f"named serves zone {name} already, outside JoPanel")
        change = functools.partial(_create_zone, name, account, records, self._removing)
        _, zone = await self._finisher.run(self._submit(name, change))
        return _present(zone, name)

    async def bring_up_to_date(self) -> None:
        """At the agent's start, before it serves: named serves what the records hold. A crash
        in a batch can leave zones.conf or a zone file behind the records; a change would mend
        them, but until one comes named would serve a zone no record holds, or miss one."""
        if not self._soa.nameservers:
            return  # DNS is not set up: no zone can be served or changed
        if not self._state() and not self._layout.zones_conf.exists():
            return  # nothing served, nothing recorded: no named needed yet
        self._prepare(self._state())
        if self._stale or self._conf_stale:
            await self._apply([])

    async def delete_zone(self, name: ZoneName) -> None:
        """Stops serving the zone; a zone not served is fine."""
        if name in self._state():
            await self._finisher.run(self._submit(name, _delete_zone))

    async def put_record(self, name: ZoneName, record: Record) -> tuple[Record, int]:
        """Adds the record, or replaces the zone's record of that id; returns the new serial."""
        self._require_nameservers()
        await self.get(name)
        result, zone = await self._finisher.run(self._submit(name, functools.partial(_put, record)))
        return _present(result, record.id), _present(zone, name).serial

    async def update_record(
        self,
        name: ZoneName,
        record_id: DnsRecordId,
        *,
        record_name: RecordName | None,
        ttl: int | None,
        data: RecordData | None,
    ) -> tuple[Record, int]:
        """Applies the given fields; None leaves a field as it is."""
        self._require_nameservers()
        await self.get(name)
        change = functools.partial(_update, record_id, record_name, ttl, data)
        result, zone = await self._finisher.run(self._submit(name, change))
        return _present(result, record_id), _present(zone, name).serial

    async def delete_record(self, name: ZoneName, record_id: DnsRecordId) -> int:
        """Removes the record (a missing one is fine); returns the zone's serial."""
        zone = await self.get(name)
        if record_id not in zone.records:
            return zone.serial
        self._require_nameservers()
        change = functools.partial(_remove, record_id)
        _, after = await self._finisher.run(self._submit(name, change))
        return _present(after, name).serial

    @contextlib.asynccontextmanager
    async def removal(self, account: AccountName) -> AsyncIterator[None]:
        """Stops serving every zone of the account (AccountService, before deleting it) in one
        reconfiguration, and refuses new ones until the account is gone."""
        self._removing.add(account)
        try:
            names = [zone.name for zone in self._state().values() if zone.account == account]
            if names:
                change = functools.partial(_delete_zone_of, account)
                await self._finisher.run(asyncio.gather(*(self._submit(n, change) for n in names)))
            yield
        finally:
            self._removing.discard(account)

    def _require_nameservers(self) -> None:
        if not self._soa.nameservers:
            raise FailedPrecondition(
                "DNS is not set up: dns_nameservers is empty in the agent's configuration"
            )

    def _state(self) -> dict[ZoneName, Zone]:
        if self._zones is None:
            self._zones = _load_records(self._record_dir)
        return self._zones

    async def _submit(self, zone: ZoneName, change: Change) -> Outcome:
        return await self._changes.submit(_ZoneChange(zone, change))

    async def _apply(self, batch: list[_Pending]) -> None:
        started = time.monotonic()
        state = self._state()
        gid = self._prepare(state)
        plans = self._plans(state, batch)
        try:
            # named must answer before anything is published, or a change would be in place
            # without the caller knowing whether it is served.
            await self._rndc.status()
            await _each([p for p in plans if p.changed and p.after], self._check)
            checked = time.monotonic()
            await self._go_live(state, plans, gid)
        finally:
            for plan in plans:
                if plan.staged is not None:
                    plan.staged.unlink(missing_ok=True)
        for plan in plans:
            plan.succeed()
        changes = sum(len(plan.done) for plan in plans)
        # One line per batch: the benchmark reads the numbers from here.
        logger.info(
            "dns batch: %d change(s) in %d zone(s); checked in %.0f ms, live in %.0f ms; "
            "%d reloads so far",
            changes,
            sum(1 for plan in plans if plan.changed),
            (checked - started) * 1000,
            (time.monotonic() - checked) * 1000,
            self.reloads,
        )

    def _prepare(self, state: dict[ZoneName, Zone]) -> int:
        """Once per start: folders, and what a crash or new settings left out of date."""
        if self._gid is None:
            gid = bind.bind_gid()
            bind.ensure_folders(self._layout, gid)
            if self._layout.transfer_key is not None:
                bind.ensure_transfer_key(self._layout.transfer_key, gid)
            for zone in state.values():
                text = render(zone, self._soa).text
                if bind.read_file(self._layout.zone_file(zone.name)) != text:
                    self._stale.add(zone.name)
            conf = bind.render_zones_conf(state, self._layout)
            self._conf_stale = bind.read_file(self._layout.zones_conf) != conf
            if self._layout.secondaries and catalog.members(self._catalog_text()) != set(state):
                self._conf_stale = True  # the catalog is rewritten with zones.conf
            bind.remove_leftovers(self._layout, state)
            self._gid = gid
        return self._gid

    def _plans(self, state: dict[ZoneName, Zone], batch: list[_Pending]) -> list[_Plan]:
        """Each zone's changes applied in order to the zone as it stands; refused ones fail."""
        plans: dict[ZoneName, _Plan] = {}
        for pending in batch:
            name = pending.change.zone
            plan = plans.get(name)
            if plan is None:
                before = state.get(name)
                plan = plans[name] = _Plan(name, before, before)
            try:
                plan.after, result = pending.change.change(plan.after)
            except AgentError as error:
                pending.fail(error)
                continue
            plan.done.append((pending, result))
        for name in self._stale:
            plan = plans.setdefault(name, _Plan(name, state.get(name), state.get(name)))
            plan.stale = True
        return list(plans.values())

    async def _check(self, plan: _Plan) -> None:
        """Gives the zone its next serial and stages and checks its file, with the changes
        together, then one by one (staging.check_batch); a refused zone stays as it was."""
        assert plan.after is not None
        previous = plan.before.serial if plan.before else 0
        serial = next_serial(previous, datetime.datetime.now(datetime.UTC).date())

        def apply(zone: Zone | None, change: _ZoneChange) -> tuple[Zone | None, Record | None]:
            after, result = change.change(zone)
            return (None if after is None else dataclasses.replace(after, serial=serial)), result

        async def check(zone: Zone | None) -> None:
            if zone is None:
                return  # a removal: no file to check
            staged = await self._stage_checked(zone)
            if plan.staged is not None:
                plan.staged.unlink()
            plan.staged = staged

        candidate = dataclasses.replace(plan.after, serial=serial)
        try:
            plan.after, plan.done = await check_batch(
                plan.before,
                candidate,
                plan.done,
                apply=apply,
                check=check,
                rejected=ZoneRejected,
                base_checked=not plan.stale,
                noun=f"named-checkzone of {plan.name}",
            )
        except ZoneRejected as error:
            plan.fail(error)

    async def _stage_checked(self, zone: Zone) -> Path:
        rendered = render(zone, self._soa)
        assert self._gid is not None
        staged = await asyncio.to_thread(
            bind.stage, self._layout, zone.name, rendered.text, self._gid
        )
        try:
            await bind.check_zone(zone.name, staged, rendered.lines, self._layout.limits)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return staged

    async def _go_live(self, state: dict[ZoneName, Zone], plans: list[_Plan], gid: int) -> None:
        ok = [p for p in plans if p.error is None]
        added = [p for p in ok if p.before is None and p.after is not None]
        removed = [p for p in ok if p.before is not None and p.after is None]
        changed = [p for p in ok if p.before and p.after and p.changed]
        # New zones' files are inert until zones.conf names them; their records come after.
        await asyncio.to_thread(self._publish, changed, added)
        if added or removed or self._conf_stale:
            await self._change_zone_list(state, added, removed, gid)
        for plan in plans:
            if plan.after is None:
                state.pop(plan.name, None)
            else:
                state[plan.name] = plan.after
        await self._reload(changed)
        unchanged = [p for p in ok if p.after and not p.changed and p.error is None]
        await _each(unchanged, self._make_served)

    def _publish(self, changed: list[_Plan], added: list[_Plan]) -> None:
        """Records first, then zone files, each folder synced once for the whole batch. A crash
        in between leaves a file behind its record, which the next start finds and rewrites;
        never a served zone that no record holds."""
        self._save([plan.after for plan in changed if plan.after is not None])
        for plan in [*changed, *added]:
            assert plan.staged is not None
            os.rename(plan.staged, self._layout.zone_file(plan.name))
            plan.staged = None
            self._stale.discard(plan.name)
        if changed or added:
            files.sync_directory(self._layout.zone_dir)

    async def _change_zone_list(
        self, state: dict[ZoneName, Zone], added: list[_Plan], removed: list[_Plan], gid: int
    ) -> None:
        names = (state.keys() | {p.name for p in added}) - {p.name for p in removed}
        # New zones' records before named reads their names: a crash in between leaves a
        # record that named does not serve yet, which the next start mends (bring_up_to_date).
        self._save([plan.after for plan in added if plan.after is not None])
        try:
            await self._reconfigure(names, gid)
        except AgentError as error:
            for plan in added:
                self._record(plan.name).unlink(missing_ok=True)
                self._layout.zone_file(plan.name).unlink(missing_ok=True)
            for plan in [*added, *removed]:
                plan.fail(error)
            return
        for plan in removed:
            self._record(plan.name).unlink(missing_ok=True)
            self._layout.zone_file(plan.name).unlink(missing_ok=True)
            self._stale.discard(plan.name)
            self._served.pop(plan.name, None)
        await _each(added, self._wait_served)
        await _each(removed, self._wait_gone)
        await self._reload_catalog()

    async def _reconfigure(self, names: Collection[ZoneName], gid: int) -> None:
        """Writes zones.conf (and the catalog, where there are secondaries), checks named's
        whole configuration with it, and makes named read it; when either fails, the previous
        files are put back (named still runs them)."""
        files_before = {self._layout.zones_conf: bind.read_file(self._layout.zones_conf)}
        bind.write_file(self._layout.zones_conf, bind.render_zones_conf(names, self._layout), gid)
        if self._layout.secondaries and catalog.members(self._catalog_text()) != set(names):
            path = self._layout.zone_file(CATALOG_ZONE)
            files_before[path] = previous = bind.read_file(path)
            serial = catalog.next_serial(catalog.serial_of(previous), int(time.time()))
            bind.write_file(path, catalog.render(names, serial), gid)
            self._catalog_changed = True
        try:
            await bind.check_config(self._layout)
            await self._rndc.reconfig()
        except BaseException:
            for path, previous in files_before.items():
                if previous is None:
                    path.unlink(missing_ok=True)
                else:
                    bind.write_file(path, previous, gid)
            self._catalog_changed = False
            raise
        self.reloads += 1
        self._conf_stale = False

    async def _reload_catalog(self) -> None:
        """Makes named serve the catalog as rewritten (a reconfig loads a new zone, never a
        changed file), once the zones it lists are served: its NOTIFY sends the secondaries
        to fetch them. A failure leaves the zones served and the secondaries behind until the
        next change of the zone list or the agent's next start; it is logged."""
        if not self._catalog_changed:
            return
        self._catalog_changed = False
        try:
            await self._rndc.reload(CATALOG_ZONE)
        except AgentError as error:
            logger.warning("rndc reload of the catalog zone failed: %s", error.message)
            return
        self.catalog_reloads += 1

    def _catalog_text(self) -> str | None:
        return bind.read_file(self._layout.zone_file(CATALOG_ZONE))

    async def _reload(self, changed: list[_Plan]) -> None:
        """One `rndc reload <zone>` for one zone; for more, one `rndc reload`, in which named
        loads every zone whose file is newer than its copy (and reads named.conf again, which
        costs less than a program per zone). When that fails, zone by zone."""
        if len(changed) > 1:
            try:
                await self._rndc.reload_all()
                self.reloads += 1
            except AgentError as error:
                logger.warning("rndc reload failed (%s); reloading zone by zone", error.message)
            else:
                await _each(changed, self._wait_served)
                return
        await _each(changed, self._reload_zone)

    async def _reload_zone(self, plan: _Plan) -> None:
        try:
            await self._rndc.reload(plan.name)
            self.reloads += 1
            await self._wait_served(plan)
        except AgentError as error:
            plan.error = error
            for pending, _ in plan.done:
                pending.fail(error)

    async def _wait_served(self, plan: _Plan) -> None:
        """Waits until named serves the zone at its new serial."""
        assert plan.after is not None
        try:
            await self._wait_for(plan.name, plan.after.serial)
        except AgentError as error:
            plan.error = error
            for pending, _ in plan.done:
                pending.fail(error)
            return
        self._served[plan.name] = plan.after.serial

    async def _wait_gone(self, plan: _Plan) -> None:
        await self._wait_for(plan.name, None)

    async def _wait_for(self, zone: ZoneName, serial: int | None) -> None:
        """Until named serves the zone at this serial (None: serves it no more)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOAD_TIMEOUT
        while await self._served_serial(zone) != serial:
            if loop.time() > deadline:
                raise Internal(f"named did not load zone {zone}; its log says why")
            await asyncio.sleep(0.01)

    async def _served_serial(self, zone: ZoneName) -> int | None:
        """The serial named serves the zone at (None: not at all): asked over DNS, or through
        rndc when named does not answer queries on 127.0.0.1:dns_port."""
        try:
            return await dns_query.soa_serial(self._dns_port, zone, QUERY_TIMEOUT)
        except (TimeoutError, OSError):
            return await self._rndc.serial(zone)

    async def _make_served(self, plan: _Plan) -> None:
        """A repeated request changes nothing, but named may not serve the zone as recorded
        yet (a reload failed, or the agent just started): it must be live when the call ends."""
        zone = plan.after
        assert zone is not None
        if self._served.get(zone.name) == zone.serial:
            return
        served = await self._served_serial(zone.name)
        if served is None:
            assert self._gid is not None
            await self._reconfigure(self._state().keys(), self._gid)
            await self._reload_catalog()
        elif served != zone.serial:
            await self._rndc.reload(zone.name)
            self.reloads += 1
        await self._wait_served(plan)

    def _record(self, name: ZoneName) -> Path:
        return self._record_dir / f"{name}.json"

    def _save(self, zones: list[Zone]) -> None:
        """Replaces the zones' records, each written and synced, the folder synced once."""
        if not zones:
            return
        _ensure_record_dir(self._record_dir)
        for zone in zones:
            temporary = self._record_dir / f".{zone.name}.json.{secrets.token_hex(4)}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(temporary, flags, RECORD_MODE)
            try:
                os.write(fd, to_json(zone).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(temporary, self._record(zone.name))
        files.sync_directory(self._record_dir)


async def _each(plans: Iterable[_Plan], step: Callable[[_Plan], Awaitable[None]]) -> None:
    """The step for every plan, CONCURRENCY at a time."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(plan: _Plan) -> None:
        async with limit:
            await step(plan)

    await asyncio.gather(*(one(plan) for plan in plans))


def _load_records(directory: Path) -> dict[ZoneName, Zone]:
    """Every zone's record; a damaged one stops every operation rather than drop a zone."""
    zones: dict[ZoneName, Zone] = {}
    if not directory.is_dir():
        return zones
    for path in sorted(directory.glob("*.json")):
        try:
            zone = from_json(path.read_bytes())
        except (OSError, ValueError) as error:
            raise Internal("a DNS zone record is damaged", detail=f"{path}: {error}") from None
        if path.name != f"{zone.name}.json":
            raise Internal("a DNS zone record is damaged", detail=f"{path}: holds {zone.name}")
        zones[zone.name] = zone
    return zones


def _ensure_record_dir(directory: Path) -> None:
    """Root's own folder: created 0700, and refused when anyone else could write to it."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise Internal(f"{directory} must be a folder that only root can write to")


# The changes. Each takes the zone as it stands when the worker applies it.


def _create_zone(
    name: ZoneName,
    account: AccountName,
    records: list[Record],
    removing: Collection[AccountName],
    zone: Zone | None,
) -> tuple[Zone, None]:
    if account in removing:
        raise FailedPrecondition(f"account {account} is being deleted")
    if zone is not None and zone.account != account:
        raise AlreadyExists(f"zone {name} belongs to another account")
    placed: dict[DnsRecordId, Record] = {}
    for record in records:
        _check_conflicts(placed.values(), record)
        placed[record.id] = record
    _check_size(name, placed.values())
    return Zone(name, account, zone.serial if zone else 0, placed), None


def _delete_zone(zone: Zone | None) -> tuple[None, None]:
    return None, None


def _delete_zone_of(account: AccountName, zone: Zone | None) -> tuple[Zone | None, None]:
    return (None if zone is None or zone.account == account else zone), None


def _put(record: Record, zone: Zone | None) -> tuple[Zone, Record]:
    zone = _existing(zone)
    if record.id not in zone.records and len(zone.records) >= MAX_RECORDS:
        raise FailedPrecondition(f"zone {zone.name} holds {MAX_RECORDS} records, the most")
    _check_conflicts(zone.records.values(), record)
    records = {**zone.records, record.id: record}
    _check_size(zone.name, records.values())
    return dataclasses.replace(zone, records=records), record


def _update(
    record_id: DnsRecordId,
    name: RecordName | None,
    ttl: int | None,
    data: RecordData | None,
    zone: Zone | None,
) -> tuple[Zone, Record]:
    zone = _existing(zone)
    current = zone.records.get(record_id)
    if current is None:
        raise NotFound(f"record {record_id} does not exist")
    changed = dataclasses.replace(
        current,
        name=current.name if name is None else name,
        ttl=current.ttl if ttl is None else ttl,
        data=current.data if data is None else data,
    )
    # The name and type may each be fine alone and not together (a CNAME moved to '@').
    dns_validators.dns_record_placement(changed.name, changed.data.TYPE, "record.name")
    return _put(changed, zone)


def _remove(record_id: DnsRecordId, zone: Zone | None) -> tuple[Zone, None]:
    zone = _existing(zone)
    records = {key: value for key, value in zone.records.items() if key != record_id}
    return dataclasses.replace(zone, records=records), None


def _check_size(name: ZoneName, records: Iterable[Record]) -> None:
    """A zone GetDnsZone could not send whole is refused (zonefile.MAX_ZONE_BYTES)."""
    if record_bytes(records) > MAX_ZONE_BYTES:
        raise FailedPrecondition(
            f"zone {name} would hold more than {MAX_ZONE_BYTES // 1024} KiB of records, the"
            " most; remove or shorten records first"
        )


def _existing(zone: Zone | None) -> Zone:
    if zone is None:
        raise NotFound("the zone does not exist")
    return zone


def _check_conflicts(records: Iterable[Record], record: Record) -> None:
    problem = conflicts(records, record)
    if problem is not None:
        raise FailedPrecondition(f"record {record.id}: {problem}")


def _present(value: T | None, what: str) -> T:
    if value is None:
        raise Internal(f"{what} vanished while it was being changed")
    return value


@functools.cache
def dns_zones(config: AgentConfig) -> DnsZones:
    """The one DnsZones of the agent: DnsZoneService and AccountService (which stops serving an
    account's zones before deleting it) share its records and its worker."""
    return DnsZones(config)
