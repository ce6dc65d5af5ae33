"""The fake agent the gateway tests talk to: AccountService in memory on a real gRPC socket.

It answers like the real agent (same status codes for the same cases), so the gateway's
mapping of agent answers is tested over a real channel. `fail_next` makes the next call fail
with a given status, to show how the gateway rolls back.
"""

from __future__ import annotations

import re
from typing import Any

import grpc
from jopanel.agent.accounts.v1 import accounts_pb2 as pb
from jopanel.agent.accounts.v1 import accounts_pb2_grpc

Context = grpc.aio.ServicerContext[Any, Any]
_NAME = re.compile(r"[a-z][a-z0-9_]{2,31}")
# Names the fake treats as existing system users, as the real agent would find in /etc/passwd.
SYSTEM_USERS = frozenset({"daemon", "uucp", "sshd", "systemd_oom"})


class FakeAccounts(accounts_pb2_grpc.AccountServiceServicer):
    def __init__(self) -> None:
        self.accounts: dict[str, pb.Account] = {}
        self.passwords: dict[str, str] = {}
        self.calls: list[str] = []
        self.fail_next: grpc.StatusCode | None = None
        self._next_uid = 1000

    async def _enter(self, rpc: str, name: str, context: Context) -> None:
        self.calls.append(f"{rpc} {name}")
        if self.fail_next is not None:
            code, self.fail_next = self.fail_next, None
            await context.abort(code, "the fake agent was told to fail")
        if not _NAME.fullmatch(name):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name: not a valid account name")
        if name in SYSTEM_USERS:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name: taken by a system user")

    async def _existing(self, name: str, context: Context) -> pb.Account:
        if name not in self.accounts:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"account {name} does not exist")
        return self.accounts[name]

    async def CreateAccount(
        self, request: pb.CreateAccountRequest, context: Context
    ) -> pb.CreateAccountResponse:
        await self._enter("CreateAccount", request.name, context)
        if request.name not in self.accounts:
            self._next_uid += 1
            self.accounts[request.name] = pb.Account(
                name=request.name,
                uid=self._next_uid,
                gid=self._next_uid,
                home=f"/home/{request.name}",
                shell=request.shell,
            )
            self.passwords[request.name] = request.password
        return pb.CreateAccountResponse(account=self.accounts[request.name])

    async def GetAccount(
        self, request: pb.GetAccountRequest, context: Context
    ) -> pb.GetAccountResponse:
        await self._enter("GetAccount", request.name, context)
        return pb.GetAccountResponse(account=await self._existing(request.name, context))

    async def ListAccounts(
        self, request: pb.ListAccountsRequest, context: Context
    ) -> pb.ListAccountsResponse:
        self.calls.append("ListAccounts")
        names = sorted(n for n in self.accounts if n > request.page_token)
        size = request.page_size or 100
        page = names[:size]
        more = len(names) > size
        return pb.ListAccountsResponse(
            accounts=[self.accounts[n] for n in page], next_page_token=page[-1] if more else ""
        )

    async def UpdateAccount(
        self, request: pb.UpdateAccountRequest, context: Context
    ) -> pb.UpdateAccountResponse:
        await self._enter("UpdateAccount", request.name, context)
        account = await self._existing(request.name, context)
        if "password" in request.update_mask.paths:
            self.passwords[request.name] = request.password
        if "shell" in request.update_mask.paths:
            account.shell = request.shell
        return pb.UpdateAccountResponse(account=account)

    async def DeleteAccount(
        self, request: pb.DeleteAccountRequest, context: Context
    ) -> pb.DeleteAccountResponse:
        await self._enter("DeleteAccount", request.name, context)
        self.accounts.pop(request.name, None)
        return pb.DeleteAccountResponse()

    async def SuspendAccount(
        self, request: pb.SuspendAccountRequest, context: Context
    ) -> pb.SuspendAccountResponse:
        await self._enter("SuspendAccount", request.name, context)
        account = await self._existing(request.name, context)
        account.suspended = True
        return pb.SuspendAccountResponse(account=account)

    async def UnsuspendAccount(
        self, request: pb.UnsuspendAccountRequest, context: Context
    ) -> pb.UnsuspendAccountResponse:
        await self._enter("UnsuspendAccount", request.name, context)
        account = await self._existing(request.name, context)
        account.suspended = False
        return pb.UnsuspendAccountResponse(account=account)
