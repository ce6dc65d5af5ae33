"""Property-based fuzzing of every registered RPC, straight at the agent's socket (sandbox only).

The requests are generated from the proto descriptors of the services in agent.services.SERVICES
as they are when the tests run, so a new service is fuzzed from the day it is registered. Every
field gets values of its type: strings that mix hostile text (control characters, quotes, shell
and nginx metacharacters, '..', '/', Unicode, very long) with plausible values (the names of
real accounts, domains, databases, zones, jobs), integers at their edges, enums with numbers the
proto does not define, repeated fields, nested messages, oneofs, and field masks with real and
bogus paths. This is what a compromised gateway could send.

For each request, what the attacker must never get:
  - an answer other than a canonical status the agent means (OK, INVALID_ARGUMENT, NOT_FOUND,
    ALREADY_EXISTS, FAILED_PRECONDITION, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE):
    INTERNAL and UNKNOWN would mean an unplanned path, DEADLINE_EXCEEDED a hang;
  - a password echoed in an error message;
  - an agent that stops serving (a health check follows every call);
  - a change outside what the operation owns: canary files in /etc, /var/lib, /srv, /var/tmp,
    another account's home, the targets of links planted in a fuzzed account's tree, the
    top-level entries of /etc and /var/lib (and /home), and for every service but
    AccountService /etc/passwd, group, shadow and gshadow stay byte for byte as they were.

The fuzzer seeds accounts, a domain, a database and user, a cron job and a DNS zone of its own
first, so that mutations reach real objects, and re-seeds before each RPC's run. It never
aims a mutation at an object it did not make: a request naming one is discarded.
JOPANEL_FUZZ_EXAMPLES raises the number of examples per RPC for a longer run.
"""

from __future__ import annotations

import asyncio
import grp
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import grpc
import grpc.aio
import pytest
import stack
from google.protobuf import descriptor, field_mask_pb2, message, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jopanel.agent.accounts.v1 import accounts_pb2

from agent.daemon import RunningAgent
from agent.system.accounts.users import MANAGED_GROUP, SSH_OFF_GROUP, SSH_SHELL_GROUP
from agent.system.web import php_fpm
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from tests.agent.boundary_support import Rpc, chown_to, registered_rpcs, tree_state
from tests.agent.support import account_files

pytestmark = pytest.mark.slow

EXAMPLES: Final = int(os.environ.get("JOPANEL_FUZZ_EXAMPLES", "40"))
ANSWERS: Final = frozenset(
    {
        grpc.StatusCode.OK,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.UNAVAILABLE,
    }
)
# Longer than any one RPC takes (DeleteAccount waits up to 10 s for the account's processes).
CALL_DEADLINE: Final = 60.0
SITES: Final = Path("/etc/nginx/jopanel/sites")
ZONE_RECORDS: Final = Path("/var/lib/jopanel/dns")
# Folders whose top-level entries no RPC adds or removes; the agent's own state lives below
# /var/lib/jopanel and (TLS keys) /etc/jopanel, which its first use of a service makes.
WATCHED_LISTINGS: Final = {Path("/etc"): {"jopanel"}, Path("/var/lib"): {"jopanel"}}
PASSWORD: Final = "a fuzzing password"
INJECTIONS: Final = (
    "\n", "\r\n", "\x00", "\x7f", "\x85", "\t", " ", "'", '"', ";", "$", "${IFS}", "$(id)",
    "`id`", "{", "}", "..", "../", "/", "\\", "|", "&", "%s", "*", "#", "@", ":", "=", "é",
    "\u202e", "\ufeff", "\u200b",
)  # fmt: skip
HOSTILE: Final = (
    "", ".", "..", "../../../../etc/shadow", "/etc/shadow", "/root", "-rf", "--help", "-o",
    "root", "www-data", "jopanel", "mysql", "information_schema", "*", "%", "_", "a;id",
    "$(reboot)", "`reboot`", "x\ny", "a\x00b", "\x00", "\r", "localhost", "127.0.0.1", "::1",
    "xn--", "xn--zz.com", "A" * 300, "пример.рф", "exa mple.com", "@", "*.example.com",
)  # fmt: skip
BOGUS_MASK_PATHS: Final = ("", "*", "name", "update_mask", "../name", "a.b.c", "NAME", "name ")
INT_EDGES: Final = (0, 1, -1, 7, 8, 53, 60, 80, 128, 443, 1023, 1024, 65535, 65536, 604801)
INT_RANGES: Final = {
    descriptor.FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    descriptor.FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    descriptor.FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    descriptor.FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    descriptor.FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    descriptor.FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    descriptor.FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    descriptor.FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    descriptor.FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    descriptor.FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
MAX_DEPTH: Final = 4  # DnsZone > DnsRecord > MxRecord is the deepest request so far


# The world the fuzzer works in: its own accounts and objects, canaries, and what is foreign.


@dataclass
class World:
    socket_path: Path
    services: frozenset[str]
    tag: str
    foreign: frozenset[str]  # names of objects the fuzzer must not change
    plausible: dict[str, list[str]] = field(default_factory=dict)

    @property
    def accounts(self) -> list[str]:
        return [f"f{self.tag}_a", f"f{self.tag}_b"]

    @property
    def trapped(self) -> str:
        """The account whose web/ and tmp/ are links to canaries."""
        return self.accounts[1]

    @property
    def victim(self) -> str:
        """Another account, whose home is a canary: no request names it."""
        return f"v{self.tag}_victim"

    @property
    def domain(self) -> str:
        return f"f{self.tag}-a.example.com"

    @property
    def victim_domain(self) -> str:
        return f"v{self.tag}.example.com"

    @property
    def zone(self) -> str:
        return f"f{self.tag}-a.test"

    @property
    def canaries(self) -> list[Path]:
        """Root's files that no RPC has any business with: folders in /etc and /var/lib (the
        trapped account links to them), files in /srv and /var/tmp. All inside the sandbox's
        overlays, so not even a failed run leaves anything on the host."""
        name = f"jp-fuzz-{self.tag}"
        return [
            Path("/etc", name),
            Path("/var/lib", name),
            Path("/srv", name),
            Path("/var/tmp", name),
        ]

    @property
    def watched(self) -> list[Path]:
        return [*self.canaries, Path("/home", self.victim)]

    def snapshot(self, rpc: Rpc) -> dict[str, Any]:
        """What this RPC must leave as it is."""
        state: dict[str, Any] = {str(path): tree_state(path) for path in self.watched}
        for folder, owned in WATCHED_LISTINGS.items():
            state[str(folder)] = sorted(set(os.listdir(folder)) - owned)
        if rpc.service != "accounts":
            state["/home"] = sorted(os.listdir("/home"))
            files = account_files()
            if rpc.service == "ssh":
                # SshService's on/off and shell are memberships of two groups (docs/sftp.md):
                # those groups' lines of /etc/group and gshadow, and nothing else, may change.
                files = {
                    path: _without_group(_without_group(text, SSH_OFF_GROUP), SSH_SHELL_GROUP)
                    for path, text in files.items()
                }
            state["account files"] = files
        return state


def _without_group(text: bytes, group: str) -> bytes:
    prefix = f"{group}:".encode()
    return b"".join(line for line in text.splitlines(True) if not line.startswith(prefix))


def managed_accounts() -> frozenset[str]:
    try:
        return frozenset(grp.getgrnam(MANAGED_GROUP).gr_mem)
    except KeyError:
        return frozenset()


def existing_objects() -> frozenset[str]:
    """Accounts, sites and zones as they are: another test's, or the sandbox's."""
    sites = (
        {p.name.removesuffix(".conf") for p in SITES.glob("*.conf")} if SITES.exists() else set()
    )
    zones = {p.stem for p in ZONE_RECORDS.glob("*.json")} if ZONE_RECORDS.exists() else set()
    return managed_accounts() | sites | zones


@pytest.fixture(scope="module")
def backends(request: pytest.FixtureRequest, sandbox: Path) -> Iterator[None]:
    """The servers the registered services drive: nginx and PHP-FPM, MariaDB, named."""
    services = {service.service for service in registered_rpcs()}
    if "web" in services:
        request.getfixturevalue("web_servers")
    if "databases" in services:
        request.getfixturevalue("mariadb").ensure_panel_database()
    named: stack.Named = request.getfixturevalue("named_server")
    # named is started by the DNS tests' package fixture when they run first; else here.
    start = "dns" in services and not _running(named.process)
    if start:
        named.start()
    yield
    if start:
        named.stop()


def _running(process: stack.Process | None) -> bool:
    return process is not None and process.popen is not None and process.popen.poll() is None


@pytest.fixture(scope="module")
async def world(
    backends: None, agent: RunningAgent, channel: grpc.aio.Channel
) -> AsyncIterator[World]:
    before = managed_accounts()
    tag = uuid.uuid4().hex[:8]
    services = frozenset(rpc.service for rpc in registered_rpcs())
    foreign = existing_objects() | {f"v{tag}_victim", f"v{tag}.example.com"}
    made = World(agent.socket_path, services, tag, foreign)
    make_canaries(made)
    made.plausible = plausible_values(made)
    try:
        yield made
        await delete_accounts(channel, managed_accounts() - before)
    finally:
        # /root and /tmp are the host's own, not the sandbox's: never leave a canary there.
        for path in made.canaries:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)


def make_canaries(world: World) -> None:
    for path in world.canaries:
        if path.parent in (Path("/etc"), Path("/var/lib")):
            path.mkdir(mode=0o755)
            (path / "keep").write_text("root's own\n")
        else:
            path.write_text("root's own\n")
        path.chmod(0o640 if path.is_file() else 0o755)


def seeds(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """(service, method, request fields) that give the fuzzer real objects to aim at; each is
    idempotent, so they also bring back what the previous RPC's run deleted."""
    a, b = world.accounts
    steps: list[tuple[str, str, dict[str, Any]]] = [
        *(
            ("accounts", "CreateAccount", {"name": n, "password": PASSWORD, "shell": BASH})
            for n in (a, b, world.victim)
        ),
        *(("accounts", "UnsuspendAccount", {"name": n}) for n in (a, b)),
        ("web", "CreateWebDomain", {"domain": {"name": world.domain, "account": a, "static": {}}}),
        (
            "web",
            "CreateWebDomain",
            {"domain": {"name": world.victim_domain, "account": world.victim, "static": {}}},
        ),
        ("databases", "CreateDatabase", {"account": a, "name": f"{a}_db1"}),
        (
            "databases",
            "CreateDatabaseUser",
            {"account": a, "name": f"{a}_u1", "password": PASSWORD},
        ),
        (
            "databases",
            "GrantDatabaseAccess",
            {"account": a, "user": f"{a}_u1", "database": f"{a}_db1"},
        ),
        ("cron", "CreateCronJob", {"account": a, "job": CRON_JOB}),
        (
            "dns",
            "CreateDnsZone",
            {"zone": {"name": world.zone, "account": a, "records": [DNS_RECORD]}},
        ),
    ]
    return [step for step in steps if step[0] in world.services]


BASH: Final = accounts_pb2.SHELL_BASH
CRON_JOB: Final = {
    "id": "fuzzjob0001",
    "schedule": "*/5 * * * *",
    "command": "echo hello",
    "enabled": True,
}
DNS_RECORD: Final = {"id": "rec00000001", "name": "www", "a": {"address": "192.0.2.10"}}


async def seed(world: World, channel: grpc.aio.Channel) -> None:
    rpcs = {(rpc.service, rpc.method.name): rpc for rpc in registered_rpcs()}
    for service, method, fields in seeds(world):
        rpc = rpcs[service, method]
        call = channel.unary_unary(
            rpc.path,
            request_serializer=rpc.request_class.SerializeToString,
            response_deserializer=rpc.response_class.FromString,
        )
        await call(rpc.request_class(**fields), timeout=CALL_DEADLINE)
    plant_links(world)


def plant_links(world: World) -> None:
    """Links in the fuzzed accounts' trees toward the canaries and the victim's site, made as
    the accounts would make them (again, when a run deleted an account or a domain)."""
    a, trapped = world.accounts[0], world.trapped
    etc, var_lib, _, tmp = world.canaries
    links = {
        Path("/home", trapped, "web"): etc,
        Path("/home", trapped, "tmp"): var_lib,
        Path("/home", a, "web", world.domain, "public_html", "escape"): tmp,
        Path("/home", a, "web", world.domain, "public_html", "neighbour"): Path(
            "/home", world.victim, "web", world.victim_domain, "public_html"
        ),
    }
    for link, target in links.items():
        if link.parent.is_dir() and not os.path.lexists(link):
            link.symlink_to(target)
            chown_to(link.parts[2], link)


async def delete_accounts(channel: grpc.aio.Channel, names: frozenset[str]) -> None:
    call = channel.unary_unary(
        "/jopanel.agent.accounts.v1.AccountService/DeleteAccount",
        request_serializer=accounts_pb2.DeleteAccountRequest.SerializeToString,
        response_deserializer=accounts_pb2.DeleteAccountResponse.FromString,
    )
    for name in sorted(names):
        await call(accounts_pb2.DeleteAccountRequest(name=name), timeout=CALL_DEADLINE)


def plausible_values(world: World) -> dict[str, list[str]]:
    """Values that pass validation, by what a field names (see plausible_for), so that
    mutations reach real objects: the seeded ones and new ones of the fuzzer's accounts."""
    a, b = world.accounts
    domains = [world.domain, f"f{world.tag}-new.example.com", f"www.{world.domain}"]
    hosts = ["mail.example.com", "ns1.example.net"]
    values: dict[str, list[str]] = {
        # Mostly the account that has a database, a user, a job and a zone: names of those
        # must start with the request's account.
        "account": [a, a, a, b, f"f{world.tag}_new"],
        "domain": domains,
        "aliases": [f"www.{world.domain}", f"shop.{world.domain}", f"f{world.tag}-b.example.com"],
        "database": [f"{a}_db1", f"{a}_db2", f"{b}_db1"],
        "database_user": [f"{a}_u1", f"{a}_u2"],
        "zone": [world.zone, f"f{world.tag}-new.test"],
        "record_name": ["@", "www", "*.www", "_dmarc", "mail"],
        "password": [PASSWORD, "another fuzzing password"],
        "cron_id": ["fuzzjob0001", "newjob0001"],
        "record_id": ["rec00000001", "newrec0001"],
        "schedule": ["*/5 * * * *", "@daily", "0 3 * * 1-5"],
        "command": ["echo hello", "/usr/bin/true"],
        "address": ["192.0.2.10", "2001:db8::10"],
        "target": hosts,
        "exchange": hosts,
        "nameserver": hosts,
        "text": ["v=spf1 -all"],
        "tag": ["issue", "iodef"],
        "value": ["letsencrypt.org", "mailto:hostmaster@example.com"],
        "url": ["https://example.org/", "http://example.org/shop"],
        "version": [str(version) for version in php_fpm.installed_versions()] or ["8.2"],
        "page_token": [common_validators.encode_page_token(key) for key in (a, world.domain)],
    }
    values["user"] = values["database_user"]
    values["name"] = sorted({name for kind in NAMED for name in values[kind]})
    return values


NAMED: Final = ("account", "domain", "database", "database_user", "zone", "record_name")


# Requests, generated from the descriptors.


def mostly(usual: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` four times in five. A request is refused at its first bad field, so its other
    fields must mostly be valid for a bad one to be looked at, and for a valid request to reach
    the system at all."""
    return st.integers(0, 9).flatmap(lambda n: usual if n < 8 else other)


# What a "name" field names, from its message's name (the first that matches).
NAME_KINDS: Final = (
    ("DatabaseUser", "database_user"),
    ("Database", "database"),
    ("DnsRecord", "record_name"),
    ("Zone", "zone"),
    ("Domain", "domain"),
    ("Account", "account"),
)


def plausible_for(fld: descriptor.FieldDescriptor, world: World) -> list[str]:
    owner = fld.containing_type.name if fld.containing_type else ""
    kind = fld.name
    if kind == "name":
        kind = next((what for part, what in NAME_KINDS if part in owner), kind)
    elif kind == "id":
        kind = "record_id" if "Dns" in owner else "cron_id"
    everything = sorted({value for values in world.plausible.values() for value in values})
    return world.plausible.get(kind) or everything


def texts(fld: descriptor.FieldDescriptor, world: World) -> st.SearchStrategy[str]:
    known = st.sampled_from(plausible_for(fld, world))
    hostile = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
        st.tuples(known, st.sampled_from(INJECTIONS), st.booleans()).map(_inject),
        st.sampled_from(sorted(set(world.plausible["name"]))),  # the wrong kind of name
        st.sampled_from("a./").map(lambda char: char * 70_000),
    )
    return mostly(known, hostile)


def _inject(parts: tuple[str, str, bool]) -> str:
    value, bad, before = parts
    return bad + value if before else value + bad


def scalars(fld: descriptor.FieldDescriptor, world: World) -> st.SearchStrategy[Any]:
    kind = fld.type
    if kind == fld.TYPE_STRING:
        return texts(fld, world)
    if kind == fld.TYPE_BYTES:
        return st.binary(max_size=64)
    if kind == fld.TYPE_BOOL:
        return st.booleans()
    if kind == fld.TYPE_ENUM:
        assert fld.enum_type is not None
        defined = [value.number for value in fld.enum_type.values if value.number]
        # proto3 enums are open: numbers the proto does not define reach the agent as they are.
        return mostly(st.sampled_from(defined), st.integers(-(2**31), 2**31 - 1))
    if kind in (fld.TYPE_FLOAT, fld.TYPE_DOUBLE):
        return st.floats(width=32 if kind == fld.TYPE_FLOAT else 64)
    low, high = INT_RANGES[kind]
    edges = [edge for edge in INT_EDGES if low <= edge <= high]
    usual = [value for value in PLAUSIBLE_INTS.get(fld.name, (0, 1)) if low <= value <= high]
    return mostly(st.sampled_from(usual), st.one_of(st.sampled_from(edges), st.integers(low, high)))


PLAUSIBLE_INTS: Final = {
    "port": (3000, 8080, 443),
    "ttl": (0, 300, 3600),
    "page_size": (0, 1, 2, 1000),
    "preference": (10,),
    "priority": (10,),
    "weight": (5,),
    "flags": (0, 128),
}


def field_masks(resource: descriptor.Descriptor) -> st.SearchStrategy[Any]:
    """Real paths (the fields and oneofs of the request's resource) mixed with bogus ones."""
    real = [fld.name for fld in resource.fields] + [oneof.name for oneof in resource.oneofs]
    bogus = st.one_of(st.sampled_from(BOGUS_MASK_PATHS), st.sampled_from(HOSTILE))
    paths = mostly(
        st.lists(st.sampled_from(real), min_size=1, max_size=2, unique=True),
        st.lists(st.one_of(st.sampled_from(real), bogus), max_size=4),
    )
    return paths.map(lambda chosen: field_mask_pb2.FieldMask(paths=chosen))


def values(
    fld: descriptor.FieldDescriptor,
    world: World,
    depth: int,
    resource: descriptor.Descriptor,
) -> st.SearchStrategy[Any]:
    kind = fld.message_type
    if kind is None:
        single = scalars(fld, world)
    elif kind.full_name == FIELD_MASK:
        single = field_masks(resource)
    else:
        single = messages(kind, world, depth + 1)
    if not fld.is_repeated:
        return single
    if fld.type != fld.TYPE_STRING:
        return st.lists(single, max_size=3)
    # Now and then past the limits the agent puts on lists (50 aliases, say), and repeating.
    return mostly(
        st.lists(single, max_size=3, unique=True), st.lists(single, min_size=1, max_size=60)
    )


FIELD_MASK: Final = "google.protobuf.FieldMask"


@st.composite
def messages(
    draw: st.DrawFn, kind: descriptor.Descriptor, world: World, depth: int = 0
) -> message.Message:
    result: message.Message = message_factory.GetMessageClass(kind)()
    if depth >= MAX_DEPTH:
        return result
    nested = [fld.message_type for fld in kind.fields if fld.message_type is not None]
    # What an update_mask's paths name: the request's other message, else the request itself.
    resource = next((each for each in nested if each.full_name != FIELD_MASK), kind)
    for fld in draw(chosen_fields(kind)):
        value = draw(values(fld, world, depth, resource))
        if fld.is_repeated:
            getattr(result, fld.name).extend(value)
        elif fld.type == fld.TYPE_MESSAGE:
            getattr(result, fld.name).CopyFrom(value)
        else:
            setattr(result, fld.name, value)
    return result


@st.composite
def chosen_fields(draw: st.DrawFn, kind: descriptor.Descriptor) -> list[descriptor.FieldDescriptor]:
    """The fields to set: at most one of each oneof (the wire could carry more, but the last
    one would win), and nineteen in twenty of the others. Hypothesis starts from its simplest
    choices (0, a list's first element), which thus make a full request of plausible values."""
    chosen = [
        fld for fld in kind.fields if fld.containing_oneof is None and draw(st.integers(0, 19)) < 19
    ]
    for oneof in kind.oneofs:
        member = draw(st.sampled_from([*oneof.fields, None]))
        if member is not None:
            chosen.append(member)
    return chosen


# The property, checked for each generated request.


def strings_in(request: message.Message) -> Iterator[tuple[str, str]]:
    """(field name, value) of every string in the request, nested ones included."""
    for fld, value in request.ListFields():
        for item in value if fld.is_repeated else [value]:
            if fld.type == fld.TYPE_MESSAGE:
                yield from strings_in(item)
            elif fld.type == fld.TYPE_STRING:
                yield fld.name, item


def mutates(rpc: Rpc) -> bool:
    return not rpc.method.name.startswith(("Get", "List"))


def answer(call: Any, request: message.Message) -> tuple[grpc.StatusCode, str]:
    try:
        responses = call(request.SerializeToString(), timeout=CALL_DEADLINE)
        if not isinstance(responses, bytes):  # a server stream: its status comes at its end
            for _ in responses:
                pass
    except grpc.RpcError as error:
        if not isinstance(error, grpc.Call):
            raise
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


def serving(health: health_pb2_grpc.HealthStub) -> bool:
    response = health.Check(health_pb2.HealthCheckRequest(), timeout=10)
    return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


def check(rpc: Rpc, world: World, call: Any, health: Any, request: message.Message) -> None:
    strings = list(strings_in(request))
    if mutates(rpc):
        # Other tests' accounts, sites and zones, and the victim, are not the fuzzer's to change.
        assume(not {value for _, value in strings} & world.foreign)
    before = world.snapshot(rpc)
    code, details = answer(call, request)
    assert code in ANSWERS, f"{rpc} answered {code.name}: {details}"
    # A password that is also in another field (the name "a0000000" as its own password) may
    # appear in a message that quotes that field: only a password found nowhere else counts.
    others = [value for name, value in strings if "password" not in name]
    for name, value in strings:
        secret = "password" in name and not any(value in other for other in others)
        if secret and len(value) >= accounts_validators.PASSWORD_MIN:
            assert value not in details, f"{rpc} echoed a password"
    assert serving(health), f"the agent stopped serving after {rpc}"
    assert world.snapshot(rpc) == before


def fuzz(rpc: Rpc, world: World) -> None:
    """Runs in a thread of its own: the agent answers on the test's event loop meanwhile."""
    with grpc.insecure_channel(f"unix:{world.socket_path}") as channel:
        start = channel.unary_stream if rpc.method.server_streaming else channel.unary_unary
        call = start(rpc.path, request_serializer=None, response_deserializer=None)
        health = health_pb2_grpc.HealthStub(channel)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
                HealthCheck.large_base_example,
            ],
        )
        @given(request=messages(rpc.method.input_type, world))
        def example(request: message.Message) -> None:
            check(rpc, world, call, health, request)

        example()


@pytest.mark.parametrize("rpc", registered_rpcs(), ids=str)
async def test_every_request_gets_a_status_and_changes_nothing_it_should_not(
    rpc: Rpc, world: World, channel: grpc.aio.Channel
) -> None:
    await seed(world, channel)
    await asyncio.to_thread(fuzz, rpc, world)
