"""ACME DNS-01 (RFC 8555 section 8.4), for names HTTP-01 cannot prove: wildcards.

A wildcard `*.shop.example.test` is validated at `_acme-challenge.shop.example.test`, a TXT
record holding base64url(SHA-256(key authorization)). The agent writes it into the owner's
own zone on this server (DnsZoneService.CreateAcmeChallengeRecord: only `_acme-challenge.`
names of a zone the owner holds, only a digest's shape) and named serves it before the call
returns; it is removed when the order ends, whatever happened. Kept apart from
acme_orders.py so that the ACME client can move into a worker of its own unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

import grpc
from acme import challenges, client, messages
from jopanel.agent.dns.v1 import dns_pb2, dns_pb2_grpc

from gateway.acme_orders import IssueFailed
from jopanel_rules.hostnames import ancestors, wildcard_base

CHALLENGE_LABEL = "_acme-challenge"


@dataclass(frozen=True)
class DnsChallenge:
    """A published DNS-01 record: its owner name and value, which is all removing it needs."""

    name: str
    value: str


def wants_dns01(authz: messages.AuthorizationResource) -> bool:
    """A wildcard can only be proven over DNS (RFC 8555 section 7.1.3)."""
    return bool(authz.body.wildcard)


def dns01_body(authz: messages.AuthorizationResource) -> messages.ChallengeBody:
    for body in authz.body.challenges:
        if isinstance(body.chall, challenges.DNS01):
            return body
    name = authz.body.identifier.value
    raise IssueFailed(f"the certificate authority offers no DNS-01 challenge for *.{name}")


async def publish(
    dns: dns_pb2_grpc.DnsZoneServiceAsyncStub,
    acme: client.ClientV2,
    owner: str,
    authz: messages.AuthorizationResource,
    agent_seconds: float = 60.0,
) -> DnsChallenge | None:
    """Writes the authorization's DNS-01 record into the owner's zone and tells the CA it is
    ready; None when the CA holds it valid already. NOT_FOUND from the agent (no zone of the
    owner's holds the name) becomes the owner's reason."""
    body = dns01_body(authz)
    if body.status == messages.STATUS_VALID:
        return None
    chall = body.chall
    assert isinstance(chall, challenges.DNS01)
    name = f"{CHALLENGE_LABEL}.{authz.body.identifier.value}"
    published = DnsChallenge(name, chall.validation(acme.net.key))
    try:
        await dns.CreateAcmeChallengeRecord(
            dns_pb2.CreateAcmeChallengeRecordRequest(
                account=owner, name=published.name, value=published.value
            ),
            timeout=agent_seconds,
        )
    except grpc.aio.AioRpcError as failed:
        if failed.code() == grpc.StatusCode.NOT_FOUND:
            raise IssueFailed(no_zone(authz.body.identifier.value)) from None
        raise
    try:
        await asyncio.to_thread(acme.answer_challenge, body, chall.response(acme.net.key))
    except messages.Error as refused:
        if "status valid" not in (refused.detail or ""):
            await withdraw(dns, owner, [published], agent_seconds)
            raise
    return published


async def withdraw(
    dns: dns_pb2_grpc.DnsZoneServiceAsyncStub,
    owner: str,
    published: list[DnsChallenge],
    agent_seconds: float = 60.0,
) -> None:
    """Removes the records; every one is tried even when one fails (the first error is
    raised after), so that no challenge stays in a zone because another did."""
    first: grpc.aio.AioRpcError | None = None
    for challenge in published:
        try:
            await dns.DeleteAcmeChallengeRecord(
                dns_pb2.DeleteAcmeChallengeRecordRequest(
                    account=owner, name=challenge.name, value=challenge.value
                ),
                timeout=agent_seconds,
            )
        except grpc.aio.AioRpcError as failed:
            first = first or failed
    if first is not None:
        raise first


def no_zone(name: str) -> str:
    return (
        f"*.{name} needs a DNS challenge, and this server does not serve the zone {name} "
        "for this account: add the zone here (and point the domain's name servers at this "
        "server) or remove the wildcard."
    )


async def zone_reasons(
    dns: dns_pb2_grpc.DnsZoneServiceAsyncStub,
    owner: str,
    names: Iterable[str],
    agent_seconds: float = 60.0,
) -> list[str]:
    """Why a wildcard among `names` cannot be proven here, before the CA is asked: the zone
    that would hold `_acme-challenge.X` for `*.X` (the closest zone at or above X, as the
    agent picks it) must be one this server serves for the owner. One sentence per wildcard."""
    reasons = []
    for name in sorted(names):
        base = wildcard_base(name)
        if base is None:
            continue
        zone = await closest_zone(dns, base, agent_seconds)
        if zone is None or zone.account != owner:
            reasons.append(no_zone(base))
    return reasons


async def closest_zone(
    dns: dns_pb2_grpc.DnsZoneServiceAsyncStub, name: str, agent_seconds: float
) -> dns_pb2.DnsZone | None:
    """The zone this server serves that answers for `name`: `name` itself or the closest
    name above it (named answers from the deepest zone it serves)."""
    for candidate in ancestors(name):
        try:
            reply = await dns.GetDnsZone(
                dns_pb2.GetDnsZoneRequest(name=candidate), timeout=agent_seconds
            )
        except grpc.aio.AioRpcError as failed:
            if failed.code() == grpc.StatusCode.NOT_FOUND:
                continue
            raise
        return reply.zone
    return None


class Dns01Answers:
    """The DNS-01 challenges of one order (acme_orders.Dns01): each wildcard's record written
    and answered, all of them removed when the order ends, whatever happened."""

    def __init__(
        self,
        dns: dns_pb2_grpc.DnsZoneServiceAsyncStub,
        acme: client.ClientV2,
        owner: str,
        agent_seconds: float = 60.0,
    ) -> None:
        self._dns = dns
        self._acme = acme
        self._owner = owner
        self._seconds = agent_seconds
        self.published: list[DnsChallenge] = []

    async def answer(self, authz: messages.AuthorizationResource) -> None:
        challenge = await publish(self._dns, self._acme, self._owner, authz, self._seconds)
        if challenge is not None:
            self.published.append(challenge)

    async def withdraw(self) -> None:
        published, self.published = self.published, []
        await withdraw(self._dns, self._owner, published, self._seconds)

    def why(self, name: str, error: messages.Error) -> str:
        return why(name, error)


def why(name: str, error: messages.Error) -> str:
    """A DNS-01 refusal in the owner's words."""
    detail = (error.detail or "").strip()
    if "No TXT" in detail or "NXDOMAIN" in detail or error.code == "dns":
        return (
            f"The certificate authority found no challenge record for *.{name}: the domain's "
            "name servers must be this server's (check the NS records at the registrar)."
        )
    if "Correct value not found" in detail or error.code == "unauthorized":
        return (
            f"The certificate authority read another challenge value for *.{name}: the "
            "domain's name servers may not be this server's, or still hold an old answer."
        )
    return f"The certificate authority refused *.{name}: {detail[:300]}"
