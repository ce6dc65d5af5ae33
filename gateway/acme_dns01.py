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
from dataclasses import dataclass

import grpc
from acme import challenges, client, messages
from jopanel.agent.dns.v1 import dns_pb2, dns_pb2_grpc

from gateway.acme_orders import IssueFailed

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
    for challenge in published:
        await dns.DeleteAcmeChallengeRecord(
            dns_pb2.DeleteAcmeChallengeRecordRequest(
                account=owner, name=challenge.name, value=challenge.value
            ),
            timeout=agent_seconds,
        )


def no_zone(name: str) -> str:
    return (
        f"*.{name} needs a DNS challenge, and this server does not serve the DNS zone of "
        f"{name} for this account: add the zone here (and point the domain's name servers "
        "at this server), then try again."
    )


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
