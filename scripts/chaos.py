"""The crash test: random writes through the REST API while the agent, the gateway and MariaDB
are each killed with SIGKILL at random moments and restarted; then reconcile runs, and every
record is compared with the system itself (Linux users, nginx site files, PHP-FPM pools, MariaDB
databases, crontabs, named's answers).

It counts two things, both of which must be 0 after the reconcile:
- disagreements: a record that is pending/deleting or whose system side is missing, or
  something on the system (named like this run's objects) with no record;
- lost acknowledged writes: a write that got its 2xx is not there afterwards (or a deletion
  that got its 204 came back), unless a later write changed it.

A write whose answer never came (or was a 5xx) may or may not have happened: what it touched is
"unknown" from then on and only has to agree with the system. A 4xx changed nothing.

Run by tests/e2e/test_chaos.py inside the sandbox, against the e2e stack (scripts/stack.py):
short in `make test`, long in `make chaos` (JOPANEL_CHAOS_WRITES / _KILLS / _SEED).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import stack

PREFIX = "chaos"  # every account of this run, and so every object, is named from it
PRESENT, ABSENT, UNKNOWN = "present", "absent", "unknown"
SITES = Path("/etc/nginx/jopanel/sites")
PHP = Path("/etc/php")
MAX_ACCOUNTS = 8
PASSWORD = "chaos-pass-123"  # noqa: S105 - the run's own accounts
VICTIMS = ("agent", "gateway", "mariadb")


@dataclass
class Item:
    kind: str  # account, domain, database, dbuser, cron, zone, record
    key: str  # its name (a cron job's id; zone/id for a record)
    account: str
    state: str
    value: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    seed: int
    writes: int = 0
    acknowledged: int = 0
    refused: int = 0
    unanswered: int = 0
    kills: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VICTIMS, 0))
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)  # records at the end, by kind
    repairs_at_start: int = 0
    repairs_on_request: int = 0
    seconds: float = 0.0

    def render(self) -> str:
        rows = [
            ("seed", str(self.seed)),
            ("writes", str(self.writes)),
            ("  acknowledged (2xx)", str(self.acknowledged)),
            ("  refused (4xx)", str(self.refused)),
            ("  unanswered or 5xx", str(self.unanswered)),
            ("kills (SIGKILL)", str(sum(self.kills.values()))),
            *((f"  {name}", str(count)) for name, count in self.kills.items()),
            ("records compared with the system", str(sum(self.compared.values()))),
            *((f"  {kind}", str(count)) for kind, count in self.compared.items()),
            ("disagreements before reconcile", str(len(self.before))),
            ("disagreements after reconcile", str(len(self.after))),
            ("repairs in the background (start, recovery)", str(self.repairs_at_start)),
            ("repairs by POST /reconcile", str(self.repairs_on_request)),
            ("lost acknowledged writes", str(len(self.lost))),
            ("seconds", f"{self.seconds:.0f}"),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"{name.ljust(width)}  {value}" for name, value in rows]
        for title, found in (("before", self.before), ("after", self.after), ("lost", self.lost)):
            lines += [f"{title}: {what}" for what in found[:20]]
        return "\n".join(lines)


class Chaos:
    def __init__(
        self, live: stack.Stack, admin: tuple[str, str], session: aiohttp.ClientSession, seed: int
    ) -> None:
        self.live = live
        self.admin = admin
        self.session = session
        self.rng = random.Random(seed)  # noqa: S311 - a replayable run, not a secret
        self.table = Table(seed)
        self.items: dict[tuple[str, str], Item] = {}
        self.tried: dict[str, set[str]] = {"zone": set(), "record": set()}  # names ever asked
        self.token = ""
        self.counter = 0
        self.written = asyncio.Condition()

    # --- the API ----------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"{self.live.url}/api/v1"

    async def sign_in(self) -> None:
        """Until the gateway answers and signs in (it or MariaDB may be restarting)."""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                async with self.session.post(
                    f"{self.base}/auth/login",
                    json={"username": self.admin[0], "password": self.admin[1]},
                ) as response:
                    if response.status == 200:
                        self.token = (await response.json())["access_token"]
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.2)  # a restart under way: not a test's timing
        raise RuntimeError("the gateway did not come back within 180 s")

    async def wait_until_up(self) -> None:
        """Until the agent listens and the gateway signs in (each may be restarting)."""
        agent_ready = stack.unix_socket_ready(stack.AGENT_SOCKET)
        while not await asyncio.to_thread(agent_ready):  # noqa: ASYNC110 - polls a socket
            await asyncio.sleep(0.1)
        await self.sign_in()

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int | None, Any]:
        """The answer's status and body; None when no answer came."""
        for _ in range(2):
            try:
                async with self.session.request(
                    method,
                    f"{self.base}{path}",
                    json=body,
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=aiohttp.ClientTimeout(total=120),
                ) as response:
                    if response.status == 401:  # an expired token changed nothing
                        await self.wait_until_up()
                        continue
                    data = await response.json() if "json" in response.content_type else None
                    return response.status, data
            except (aiohttp.ClientError, TimeoutError):
                return None, None
        return 401, None

    async def write(self, method: str, path: str, body: Any = None) -> tuple[str, Any]:
        """One counted write: "ok", "refused" (4xx) or "unknown" (no answer, 5xx)."""
        status, data = await self.call(method, path, body)
        async with self.written:
            self.table.writes += 1
            self.written.notify_all()
        if status is not None and 200 <= status < 300:
            self.table.acknowledged += 1
            return "ok", data
        if status is not None and 400 <= status < 500:
            self.table.refused += 1
            return "refused", data
        self.table.unanswered += 1
        await self.wait_until_up()  # a process is down: the next write waits for its return
        return "unknown", data

    # --- the model of what must exist -------------------------------------------------------

    def live_items(self, kind: str) -> list[Item]:
        return [
            i
            for i in self.items.values()
            if i.kind == kind
            and i.state == PRESENT
            and self.items[("account", i.account)].state == PRESENT
        ]

    def settle(self, item: Item, outcome: str, state: str) -> None:
        if outcome == "ok":
            item.state = state
        elif outcome == "unknown":
            item.state = UNKNOWN

    def settle_children(self, account: str, outcome: str) -> None:
        for item in self.items.values():
            if item.account == account and item.kind != "account" and item.state != ABSENT:
                self.settle(item, outcome, ABSENT)

    def next_name(self) -> str:
        self.counter += 1
        return f"{PREFIX}{self.counter}"

    # --- the writes -------------------------------------------------------------------------

    async def random_write(self) -> None:
        choices: list[tuple[Any, int]] = [
            (self.create_account, 6 if len(self.live_items("account")) < MAX_ACCOUNTS else 0),
            (self.delete_account, 1 if len(self.live_items("account")) > 2 else 0),
        ]
        if self.live_items("account"):
            choices += [(self.create_domain, 6), (self.create_database, 4), (self.create_cron, 4)]
        if self.live_items("domain"):
            choices += [(self.delete_domain, 1), (self.create_zone, 4)]
        if self.live_items("database"):
            choices += [(self.delete_database, 1), (self.create_database_user, 3)]
        if self.live_items("dbuser"):
            choices += [(self.delete_database_user, 1)]
        if self.live_items("cron"):
            choices += [(self.update_cron, 3), (self.delete_cron, 1)]
        if self.live_items("zone"):
            choices += [(self.create_record, 6), (self.delete_zone, 1)]
        if self.live_items("record"):
            choices += [(self.delete_record, 2)]
        operations, weights = zip(*choices, strict=True)
        await self.rng.choices(operations, weights)[0]()

    def pick(self, kind: str) -> Item:
        return self.rng.choice(self.live_items(kind))

    async def create_account(self) -> None:
        name = self.next_name()
        item = self.items[("account", name)] = Item("account", name, name, ABSENT)
        outcome, _ = await self.write(
            "POST", "/accounts", {"name": name, "password": PASSWORD, "shell": "nologin"}
        )
        self.settle(item, outcome, PRESENT)

    async def delete_account(self) -> None:
        item = self.pick("account")
        outcome, _ = await self.write("DELETE", f"/accounts/{item.key}")
        self.settle(item, outcome, ABSENT)
        self.settle_children(item.key, outcome)

    async def create_domain(self) -> None:
        account, name = self.pick("account").key, f"{self.next_name()}.example"
        body: dict[str, Any] = {"name": name, "account": account}
        php = self.rng.random() < 0.3
        if not php:
            body["backend"] = {"type": "static"}
        item = self.items[("domain", name)] = Item("domain", name, account, ABSENT, {"php": php})
        outcome, _ = await self.write("POST", "/domains", body)
        self.settle(item, outcome, PRESENT)

    async def delete_domain(self) -> None:
        item = self.pick("domain")
        outcome, _ = await self.write("DELETE", f"/domains/{item.key}")
        self.settle(item, outcome, ABSENT)

    async def create_database(self) -> None:
        account = self.pick("account").key
        name = f"{account}_d{self.counter}"
        self.counter += 1
        item = self.items[("database", name)] = Item("database", name, account, ABSENT)
        outcome, _ = await self.write("POST", "/databases", {"name": name, "account": account})
        self.settle(item, outcome, PRESENT)

    async def delete_database(self) -> None:
        item = self.pick("database")
        outcome, _ = await self.write("DELETE", f"/databases/{item.key}")
        self.settle(item, outcome, ABSENT)

    async def create_database_user(self) -> None:
        database = self.pick("database")
        name = f"{database.account}_u{self.counter}"
        self.counter += 1
        item = self.items[("dbuser", name)] = Item("dbuser", name, database.account, ABSENT)
        outcome, _ = await self.write(
            "POST",
            "/database-users",
            {
                "name": name,
                "account": database.account,
                "password": PASSWORD,
                "databases": [database.key],
            },
        )
        self.settle(item, outcome, PRESENT)

    async def delete_database_user(self) -> None:
        item = self.pick("dbuser")
        outcome, _ = await self.write("DELETE", f"/database-users/{item.key}")
        self.settle(item, outcome, ABSENT)

    async def create_cron(self) -> None:
        account, command = self.pick("account").key, f"echo {self.next_name()}"
        outcome, data = await self.write(
            "POST",
            "/cron-jobs",
            {"schedule": "@daily", "command": command, "account": account},
        )
        if outcome == "ok":  # an unanswered creation has no id to follow
            job = str(data["id"])
            self.items[("cron", job)] = Item("cron", job, account, PRESENT, {"command": command})

    async def update_cron(self) -> None:
        item, command = self.pick("cron"), f"echo {self.next_name()}"
        outcome, _ = await self.write("PATCH", f"/cron-jobs/{item.key}", {"command": command})
        if outcome == "ok":
            item.value["command"] = command
        self.settle(item, outcome, PRESENT)

    async def delete_cron(self) -> None:
        item = self.pick("cron")
        outcome, _ = await self.write("DELETE", f"/cron-jobs/{item.key}")
        self.settle(item, outcome, ABSENT)

    async def create_zone(self) -> None:
        free = [d for d in self.live_items("domain") if ("zone", d.key) not in self.items]
        if not free:
            await self.create_domain()
            return
        domain = self.rng.choice(free)
        self.tried["zone"].add(domain.key)
        item = self.items[("zone", domain.key)] = Item("zone", domain.key, domain.account, ABSENT)
        outcome, _ = await self.write(
            "POST",
            "/dns-zones",
            {"name": domain.key, "account": domain.account, "default_records": False},
        )
        self.settle(item, outcome, PRESENT)

    async def delete_zone(self) -> None:
        item = self.pick("zone")
        outcome, _ = await self.write("DELETE", f"/dns-zones/{item.key}")
        self.settle(item, outcome, ABSENT)
        for record in self.items.values():
            if record.kind == "record" and record.value["zone"] == item.key:
                self.settle(record, outcome, ABSENT)

    async def create_record(self) -> None:
        zone, host = self.pick("zone"), f"h{self.counter}"
        address = f"10.{self.counter // 250 % 250}.{self.counter % 250}.{self.rng.randint(1, 250)}"
        self.counter += 1
        self.tried["record"].add(f"{host}.{zone.key}")
        outcome, data = await self.write(
            "POST",
            f"/dns-zones/{zone.key}/records",
            {"type": "A", "name": host, "address": address},
        )
        if outcome == "ok":
            key = f"{zone.key}/{data['id']}"
            value = {"zone": zone.key, "host": host, "address": address}
            self.items[("record", key)] = Item("record", key, zone.account, PRESENT, value)

    async def delete_record(self) -> None:
        item = self.pick("record")
        record_id = item.key.split("/", 1)[1]
        outcome, _ = await self.write(
            "DELETE", f"/dns-zones/{item.value['zone']}/records/{record_id}"
        )
        self.settle(item, outcome, ABSENT)

    # --- the kills --------------------------------------------------------------------------

    async def killer(self, writes: int, kills: int) -> None:
        """Kills at random moments: one after about every writes/kills writes, a random
        fraction of a request into the next one, each process in turn in a random order."""
        every = max(1, writes // max(1, kills))
        order: list[str] = []
        for number in range(kills):
            due = number * every + 1

            def reached(due: int = due) -> bool:
                return self.table.writes >= due

            async with self.written:
                await self.written.wait_for(reached)
            await asyncio.sleep(self.rng.uniform(0.0, 0.25))
            if not order:
                order = self.rng.sample(VICTIMS, len(VICTIMS))
            victim = order.pop()
            await asyncio.to_thread(self.kill_and_restart, victim, self.rng.uniform(0.0, 1.0))
            self.table.kills[victim] += 1

    def kill_and_restart(self, victim: str, down_seconds: float) -> None:
        if victim == "mariadb":
            server = self.live.mariadb
            assert server.process is not None
            assert server.process.popen is not None
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.popen.wait()
            time.sleep(down_seconds)  # the writes meanwhile meet a dead process
            server.start()
            return
        (process,) = [p for p in self.live.processes if p.name == victim]
        assert process.popen is not None
        os.kill(process.pid, signal.SIGKILL)
        process.popen.wait()
        time.sleep(down_seconds)
        process.start()
        ready = (
            stack.unix_socket_ready(stack.AGENT_SOCKET)
            if victim == "agent"
            else stack.tcp_ready(self.live.http_port)
        )
        stack.wait_for(victim, ready, process.popen, process.log)

    # --- the comparison ---------------------------------------------------------------------

    def records(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """This run's records, read from MariaDB as root: kind -> key -> row."""
        queries = {
            "account": "SELECT u.name, a.status, u.name FROM users u"
            " JOIN accounts a ON a.user_id = u.id",
            "domain": "SELECT d.name, d.status, u.name, d.backend FROM domains d"
            " JOIN users u ON u.id = d.account_id",
            "database": "SELECT d.name, d.status, u.name FROM hosted_databases d"
            " JOIN users u ON u.id = d.account_id",
            "cron": "SELECT c.public_id, c.status, u.name, c.command FROM cron_jobs c"
            " JOIN users u ON u.id = c.account_id",
            "zone": "SELECT z.name, z.status, u.name FROM dns_zones z"
            " JOIN users u ON u.id = z.account_id",
            "record": "SELECT CONCAT(z.name, '/', r.public_id), 'active', u.name, r.name,"
            " JSON_VALUE(r.data, '$.address') FROM dns_records r"
            " JOIN dns_zones z ON z.id = r.zone_id JOIN users u ON u.id = z.account_id",
            # Each user with the databases it is granted, space-separated in name order.
            "dbuser": "SELECT r.name, r.status, u.name, COALESCE((SELECT GROUP_CONCAT(d.name"
            " ORDER BY d.name SEPARATOR ' ') FROM database_grants g JOIN hosted_databases d"
            " ON d.id = g.database_id WHERE g.user_id = r.id), '') FROM database_users r"
            " JOIN users u ON u.id = r.account_id",
        }
        found: dict[str, dict[str, tuple[str, ...]]] = {}
        for kind, sql in queries.items():
            out = self.live.mariadb.sql(f"USE jopanel; {sql} WHERE u.name LIKE '{PREFIX}%'")
            rows = [tuple(line.split("\t")) for line in out.splitlines() if line]
            found[kind] = {row[0]: row for row in rows}
        return found

    def disagreements(self) -> list[str]:
        records = self.records()
        found = [
            f"{kind} {key} is {row[1]}"
            for kind, rows in records.items()
            for key, row in rows.items()
            if row[1] not in ("active", "suspended")
        ]
        system = System(self.live)
        for kind, rows in records.items():
            for key, row in rows.items():
                if not system.has(kind, key, row):
                    found.append(f"{kind} {key} is recorded, but missing on the system")
        found += [f"{what} is on the system with no record" for what in system.orphans(records)]
        for zone in sorted(self.tried["zone"] - set(records["zone"])):
            if system.serves_zone(zone):
                found.append(f"zone {zone} is served with no record")
        served_hosts = {f"{row[3]}.{row[0].split('/')[0]}" for row in records["record"].values()}
        for host in sorted(self.tried["record"] - served_hosts):
            if system.answers(host):
                found.append(f"record {host} is served with no record")
        return found

    def lost_writes(self) -> list[str]:
        records = self.records()
        system = System(self.live)
        lost = []
        for item in self.items.values():
            row = records[item.kind].get(item.key)
            if item.state == PRESENT:
                if row is None or not system.has(item.kind, item.key, row):
                    lost.append(f"{item.kind} {item.key} was acknowledged, and is gone")
                elif item.kind == "cron" and row[3] != item.value["command"]:
                    lost.append(f"cron {item.key}: the acknowledged command is not recorded")
                elif item.kind == "record" and row[4] != item.value["address"]:
                    lost.append(f"record {item.key}: the acknowledged address is not recorded")
            elif item.state == ABSENT and row is not None:
                lost.append(f"{item.kind} {item.key} was deleted (204), and is back")
        return lost

    def repairs(self, at_start: bool) -> int:
        """Repairs in the audit log: those of the reconciles at gateway starts (actor "system"),
        or those of POST /reconcile."""
        actor = "=" if at_start else "<>"
        out = self.live.mariadb.sql(
            "SELECT COUNT(*) FROM jopanel.audit_log WHERE action LIKE 'reconcile.%'"  # noqa: S608
            f" AND action <> 'reconcile.run' AND result = 'ok' AND actor {actor} 'system'"
        )
        return int(out.strip() or 0)


class System:
    """What exists, read from the system itself (never through the agent)."""

    def __init__(self, live: stack.Stack) -> None:
        self.live = live
        self.databases = set(live.mariadb.sql("SHOW DATABASES").split())
        # Hosted users and the databases each may use (mysql.db holds '_' escaped as '\_').
        self.grants: dict[str, set[str]] = {}
        for line in live.mariadb.sql(
            f"SELECT DISTINCT User FROM mysql.user WHERE User LIKE '{PREFIX}%'"  # noqa: S608
        ).split():
            self.grants[line] = set()
        for line in live.mariadb.sql(
            f"SELECT DISTINCT User, Db FROM mysql.db WHERE User LIKE '{PREFIX}%'"  # noqa: S608
        ).splitlines():
            user, database = line.split("\t")
            # mysql.db holds "_" escaped with a backslash, which the batch output doubles.
            unescaped = database.replace("\\\\", "\\").replace("\\_", "_")
            self.grants.setdefault(user, set()).add(unescaped)
        self.pools = {p.name for p in PHP.glob("*/fpm/jopanel/*/pool.d/jopanel-*.conf")}
        self.crontabs: dict[str, str] = {}

    def crontab(self, account: str) -> str:
        if account not in self.crontabs:
            done = subprocess.run(
                ["crontab", "-u", account, "-l"], capture_output=True, text=True, check=False
            )
            self.crontabs[account] = done.stdout if done.returncode == 0 else ""
        return self.crontabs[account]

    def has(self, kind: str, key: str, row: tuple[str, ...]) -> bool:
        account = row[2]
        if kind == "account":
            return _user_exists(key)
        if kind == "domain":
            pool = f"jopanel-{account}.conf"
            return (SITES / f"{key}.conf").exists() and (row[3] != "php" or pool in self.pools)
        if kind == "database":
            return key in self.databases
        if kind == "cron":
            return f"# job {key}\n@daily {row[3]}\n" in self.crontab(account)
        if kind == "zone":
            return self.serves_zone(key)
        if kind == "dbuser":
            return self.grants.get(key) == set(row[3].split())
        zone = key.split("/")[0]
        return row[4] in self.answers(f"{row[3]}.{zone}")

    def orphans(self, records: dict[str, dict[str, tuple[str, ...]]]) -> list[str]:
        found = [
            f"Linux user {u.pw_name}"
            for u in _users()
            if u.pw_name.startswith(PREFIX) and u.pw_name not in records["account"]
        ]
        found += [
            f"site file {p.name}"
            for p in SITES.glob(f"{PREFIX}*.conf")
            if p.name.removesuffix(".conf") not in records["domain"]
        ]
        php_accounts = {row[2] for row in records["domain"].values() if row[3] == "php"}
        found += [
            f"PHP-FPM pool {name}"
            for name in sorted(self.pools)
            if name.startswith(f"jopanel-{PREFIX}")
            and name.removeprefix("jopanel-").removesuffix(".conf") not in php_accounts
        ]
        found += [
            f"database {name}"
            for name in sorted(self.databases)
            if name.startswith(PREFIX) and name not in records["database"]
        ]
        found += [
            f"MariaDB user {user}" for user in sorted(self.grants) if user not in records["dbuser"]
        ]
        for account in records["account"]:
            for line in self.crontab(account).splitlines():
                if line.startswith("# job ") and line[6:] not in records["cron"]:
                    found.append(f"cron job {line[6:]} of {account}")
        return found

    def serves_zone(self, zone: str) -> bool:
        return bool(self._dig(zone, "SOA"))

    def answers(self, host: str) -> list[str]:
        return self._dig(host, "A")

    def _dig(self, name: str, kind: str) -> list[str]:
        argv = ["dig", "@127.0.0.1", "-p", str(self.live.dns_port), "+norec", "+short"]
        out = subprocess.run(
            [*argv, "+time=5", "+tries=2", name, kind],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [line for line in out.splitlines() if line and not line.startswith(";")]


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _users() -> list[pwd.struct_passwd]:
    return pwd.getpwall()


async def run(live: stack.Stack, admin: tuple[str, str], writes: int, kills: int) -> Table:
    seed = int(os.environ.get("JOPANEL_CHAOS_SEED") or random.randrange(2**32))  # noqa: S311
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        chaos = Chaos(live, admin, session, seed)
        await chaos.wait_until_up()
        killer = asyncio.create_task(chaos.killer(writes, kills))
        for _ in range(writes):
            await chaos.random_write()
        await killer
        await chaos.wait_until_up()
        # Each gateway start has run its reconcile; what is left now is "before".
        chaos.table.before = await asyncio.to_thread(chaos.disagreements)
        status, report = await chaos.call("POST", "/reconcile")
        if status != 200:
            raise RuntimeError(f"POST /reconcile answered {status}: {report}")
        chaos.table.after = await asyncio.to_thread(chaos.disagreements)
        chaos.table.lost = await asyncio.to_thread(chaos.lost_writes)
        records = await asyncio.to_thread(chaos.records)
        chaos.table.compared = {kind: len(rows) for kind, rows in records.items()}
    chaos.table.repairs_at_start = chaos.repairs(at_start=True)
    chaos.table.repairs_on_request = chaos.repairs(at_start=False)
    chaos.table.seconds = time.monotonic() - started
    return chaos.table
