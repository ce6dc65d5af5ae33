"""The ACME worker's own socket (docs/certificates.md, "The worker's socket").

The worker (jopanel-acme, never root) needs a handful of the agent's RPCs; the gateway's
socket serves them all. So the agent listens on a second socket, in a folder of its own
(0750 root:<acme_group>, socket 0660), served by a second gRPC server that shares the first
one's servicers (the same per-domain locks, the same websites' worker) and answers only the
methods listed here: any other is UNIMPLEMENTED, as a method that does not exist; health
checking and reflection are not served there either. Each call on it is logged with the
socket's name, so the agent's log tells the worker's calls from the gateway's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import grpc
import grpc.aio

from agent.errors import Handler

logger = logging.getLogger(__name__)

_CERTIFICATES: Final = "/jopanel.agent.certificates.v1.CertificateService/"
# Every RPC gateway/acme_worker.py reaches (acme_orders, preflight, renewals, the panel's
# certificate, acme_dns01): nothing that lists, changes or removes anything else.
ACME_RPCS: Final = frozenset(
    {
        _CERTIFICATES + "CreateCertificateSigningRequest",
        _CERTIFICATES + "CreateChallengeToken",
        _CERTIFICATES + "DeleteChallengeToken",
        _CERTIFICATES + "InstallCertificate",
        _CERTIFICATES + "GetPanelCertificate",
        _CERTIFICATES + "CreatePanelCertificateSigningRequest",
        _CERTIFICATES + "CreatePanelChallengeToken",
        _CERTIFICATES + "DeletePanelChallengeToken",
        _CERTIFICATES + "InstallPanelCertificate",
        # Pre-flight reads the website's names from the agent, not from the database.
        "/jopanel.agent.web.v1.WebDomainService/GetWebDomain",
        # DNS-01 (gateway/acme_dns01.py): which zone answers for a wildcard's name and whose it
        # is (read only, as GetWebDomain above), then only `_acme-challenge` records in it.
        "/jopanel.agent.dns.v1.DnsZoneService/GetDnsZone",
        "/jopanel.agent.dns.v1.DnsZoneService/CreateAcmeChallengeRecord",
        "/jopanel.agent.dns.v1.DnsZoneService/DeleteAcmeChallengeRecord",
    }
)


class OnlyListed(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Lets through the listed methods, each logged with the socket it came in on."""

    def __init__(self, allowed: frozenset[str], socket: str) -> None:
        self._allowed = allowed
        self._socket = socket

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler:
        method = handler_call_details.method
        if method not in self._allowed:
            logger.warning("refused %s on the ACME worker's socket %s", method, self._socket)
            # No handler: gRPC answers UNIMPLEMENTED (the stubs do not say None is allowed).
            return None  # type: ignore[return-value]
        logger.info("%s on the ACME worker's socket %s", method, self._socket)
        return await continuation(handler_call_details)


class Both:
    """Stands in for a server while the services register: every handler goes to both
    servers, so the two sockets share one set of servicers."""

    def __init__(self, first: grpc.aio.Server, second: grpc.aio.Server) -> None:
        self._servers = (first, second)

    def add_generic_rpc_handlers(
        self, handlers: Sequence[grpc.GenericRpcHandler[Any, Any]]
    ) -> None:
        for server in self._servers:
            server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, service: str, handlers: dict[str, Any]) -> None:
        for server in self._servers:
            # grpc has it (since 1.63); its type stubs do not yet.
            server.add_registered_method_handlers(service, handlers)  # type: ignore[attr-defined]
