"""The gateway's connection to the root agent: one gRPC channel over the Unix socket."""

from __future__ import annotations

import asyncio
import bisect
import logging
import os
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import Protocol, TypeVar

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2, accounts_pb2_grpc
from jopanel.agent.backups.v1 import backups_pb2_grpc
from jopanel.agent.certificates.v1 import certificates_pb2_grpc
from jopanel.agent.cron.v1 import cron_pb2_grpc
from jopanel.agent.databases.v1 import databases_pb2_grpc
from jopanel.agent.dns.v1 import dns_pb2_grpc
from jopanel.agent.files.v1 import files_pb2_grpc
from jopanel.agent.server.v1 import server_pb2_grpc
from jopanel.agent.ssh.v1 import ssh_pb2_grpc
from jopanel.agent.vpn.v1 import vpn_pb2_grpc
from jopanel.agent.web.v1 import web_pb2_grpc

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P", bound="_Page")

# Every call to the agent carries a deadline, so a stuck agent cannot hold requests forever.
# Longer than the agent's own program timeouts (30 s by default), so that the agent's answer,
# not the deadline, says what went wrong. JOPANEL_AGENT_CALL_SECONDS raises it where every
# program is slow by design (scripts/test-vm.sh: an emulated CPU).
CALL_TIMEOUT_SECONDS = float(os.environ.get("JOPANEL_AGENT_CALL_SECONDS", "60"))
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
# The most names one ListAccounts call (or a Batch call) takes.
NAMES_PER_CALL = 1000
# The calls of one change to many accounts (a plan's, a reseller's) in flight at once. The
# agent takes the calls that wait together into one batch where it can: a PHP-FPM master
# reloads once for all of its pools that changed, nginx once for all the sites (docs/web.md,
# open_basedir per plan). One call at a time cost each account a batch of its own; 256 (a
# master's accounts) keeps each batch to a few masters, each call's wait well within its
# deadline.
CALLS_AT_ONCE = 256


class Agent:
    """Typed stubs for each agent service, sharing one channel."""

    def __init__(self, socket_path: str) -> None:
        self.channel = grpc.aio.insecure_channel(
            f"unix:{socket_path}",
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        self.accounts = accounts_pb2_grpc.AccountServiceStub(self.channel)
        self.web = web_pb2_grpc.WebDomainServiceStub(self.channel)
        self.databases = databases_pb2_grpc.DatabaseServiceStub(self.channel)
        self.cron = cron_pb2_grpc.CronJobServiceStub(self.channel)
        self.dns = dns_pb2_grpc.DnsZoneServiceStub(self.channel)
        self.server = server_pb2_grpc.ServerServiceStub(self.channel)
        self.certificates = certificates_pb2_grpc.CertificateServiceStub(self.channel)
        self.vpn = vpn_pb2_grpc.VpnServiceStub(self.channel)
        self.ssh = ssh_pb2_grpc.SshServiceStub(self.channel)
        self.backups = backups_pb2_grpc.BackupServiceStub(self.channel)
        self.files = files_pb2_grpc.FileServiceStub(self.channel)

    async def close(self) -> None:
        await self.channel.close(None)

    async def accounts_named(self, names: Collection[str]) -> list[accounts_pb2.Account]:
        """The system state of the named accounts (those that exist), a thousand per call."""
        ordered = sorted(set(names))
        found: list[accounts_pb2.Account] = []
        for start in range(0, len(ordered), NAMES_PER_CALL):
            request = accounts_pb2.ListAccountsRequest(
                names=ordered[start : start + NAMES_PER_CALL]
            )
            reply = await self.accounts.ListAccounts(request, timeout=CALL_TIMEOUT_SECONDS)
            found += reply.accounts
        return found


class _Page(Protocol):
    @property
    def next_page_token(self) -> str: ...


async def every_page(
    ask: Callable[[str], Awaitable[P]], items: Callable[[P], Iterable[T]]
) -> list[T]:
    """What an agent's paged list holds, asked page by page (`ask` takes the page token)."""
    found: list[T] = []
    token = ""
    while True:
        reply = await ask(token)
        found += items(reply)
        token = reply.next_page_token
        if not token:
            return found


async def in_batches(
    names: Collection[str],
    ask: Callable[[list[str]], Awaitable[Sequence[T]]],
    name_of: Callable[[T], str],
) -> list[T]:
    """A Batch RPC's answers for every name (BatchListCronJobs, say), NAMES_PER_CALL names per
    call. The agent answers in name order and ends an answer early past its size bound
    (agent/batch.py): the names after the last one answered are asked again."""
    pending = sorted(set(names))
    found: list[T] = []
    while pending:
        answered = await ask(pending[:NAMES_PER_CALL])
        if not answered:
            raise RuntimeError("the agent answered a batch without any of its names")
        found += answered
        pending = pending[bisect.bisect_right(pending, name_of(answered[-1])) :]
    return found


async def at_once(items: Sequence[T], call: Callable[[T], Awaitable[R]]) -> list[R | BaseException]:
    """`call` for every item, CALLS_AT_ONCE at a time: each one's result, or what it raised, in
    the items' order."""
    slots = asyncio.Semaphore(CALLS_AT_ONCE)

    async def one(item: T) -> R:
        async with slots:
            return await call(item)

    return await asyncio.gather(*(one(item) for item in items), return_exceptions=True)


async def each(
    names: Collection[str],
    change: Callable[[str], Awaitable[object]],
    revert: Callable[[str], Awaitable[object]],
    undo: Callable[[], Awaitable[object]],
) -> None:
    """Makes `change` for every named account (at_once). When one fails, once the others have
    answered, the accounts changed are `revert`ed (a revert that fails too is left to the
    reconcile), `undo` takes back the panel's record, and the first failure, in the names'
    order, goes on."""
    ordered = list(names)
    results = await at_once(ordered, change)
    failures = [r for r in results if isinstance(r, BaseException)]
    if not failures:
        return
    changed = [n for n, r in zip(ordered, results, strict=True) if not isinstance(r, BaseException)]
    for name, result in zip(changed, await at_once(changed, revert), strict=True):
        if isinstance(result, BaseException):
            logger.warning("%s could not be set back (the reconcile will): %r", name, result)
    await undo()
    raise failures[0]
