"""Checks before the CA is asked, so that an owner hears why at once and the CA's rate limits
(failed validations count) are not spent on an order bound to fail:

1. every name resolves to this server: its A records, asked of the configured resolver
   (`[acme] resolver`, "host:port"; the system's resolver when empty), include one of the
   server's addresses (`server_ipv4`);
2. a self-test token, published by the agent like a real one, is fetched over HTTP through
   nginx for each name (`[acme] http_port`), and answers exactly its text.

Each failure is one sentence for the owner, in the words the CA's refusals get.
"""

from __future__ import annotations

import asyncio
import http.client
import secrets
import socket
import struct
from collections.abc import Awaitable, Callable, Iterable

DNS_SECONDS = 3.0
HTTP_SECONDS = 5.0
_A, _IN = 1, 1


def resolve_a(name: str, resolver: str) -> list[str]:
    """The A records of `name` (empty when none, NXDOMAIN or refused). Blocking."""
    if not resolver:
        try:
            infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
        except socket.gaierror:
            return []
        return sorted({str(info[4][0]) for info in infos})
    host, _, port = resolver.rpartition(":")
    ident = secrets.randbits(16)
    query = struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + _qname(name)
    query += struct.pack(">HH", _A, _IN)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(DNS_SECONDS)
        udp.sendto(query, (host, int(port)))
        try:
            answer = udp.recv(4096)
        except TimeoutError:
            return []
    return _addresses(answer, ident)


def _qname(name: str) -> bytes:
    labels = [label.encode("ascii") for label in name.split(".")]
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def _addresses(answer: bytes, ident: int) -> list[str]:
    got, flags, questions, count = struct.unpack(">HHHH", answer[:8])
    if got != ident or flags & 0x000F:  # another answer, or an error (NXDOMAIN, REFUSED)
        return []
    offset = 12
    for _ in range(questions):
        offset = _skip_name(answer, offset) + 4
    found = []
    for _ in range(count):
        offset = _skip_name(answer, offset)
        kind, _klass, _ttl, length = struct.unpack(">HHIH", answer[offset : offset + 10])
        offset += 10
        if kind == _A and length == 4:
            found.append(socket.inet_ntoa(answer[offset : offset + 4]))
        offset += length
    return sorted(found)


def _skip_name(data: bytes, offset: int) -> int:
    while True:
        length = data[offset]
        if length & 0xC0 == 0xC0:  # a pointer ends the name
            return offset + 2
        if length == 0:
            return offset + 1
        offset += 1 + length


def fetch(address: str, port: int, name: str, path: str) -> tuple[int, str]:
    """One GET with the name as Host, to the address nginx answers on. Blocking."""
    connection = http.client.HTTPConnection(address, port, timeout=HTTP_SECONDS)
    try:
        connection.request("GET", path, headers={"Host": name})
        response = connection.getresponse()
        return response.status, response.read(4096).decode("utf-8", "replace")
    except OSError:
        return 0, ""
    finally:
        connection.close()


async def check(
    names: Iterable[str],
    *,
    resolver: str,
    addresses: Iterable[str],
    http_port: int,
    publish: Callable[[str, str], Awaitable[None]],
    withdraw: Callable[[str], Awaitable[None]],
) -> list[str]:
    """The owner's reasons why the CA would refuse (empty: go ahead)."""
    ours = set(addresses)
    reasons: list[str] = []
    reachable: list[tuple[str, str]] = []
    for name in sorted(names):
        found = await asyncio.to_thread(resolve_a, name, resolver)
        if not found:
            reasons.append(
                f"{name} does not resolve to this server: it has no address. Point its A "
                "record at this server, then try again."
            )
        elif not ours & set(found):
            reasons.append(
                f"{name} does not resolve to this server: it points at {', '.join(found)}, "
                f"this server is {', '.join(sorted(ours))}."
            )
        else:
            reachable.append((name, sorted(ours & set(found))[0]))
    if reasons or not reachable:
        return reasons
    token = secrets.token_urlsafe(32)
    text = f"{token}.{secrets.token_urlsafe(32)}"
    await publish(token, text)
    try:
        for name, address in reachable:
            path = f"/.well-known/acme-challenge/{token}"
            status, body = await asyncio.to_thread(fetch, address, http_port, name, path)
            if (status, body) != (200, text):
                got = f"answered {status}" if status else "did not answer"
                reasons.append(
                    f"The self-test challenge for {name} {got} on port {http_port}: "
                    "the web server here does not serve the panel's challenges for this name."
                )
    finally:
        await withdraw(token)
    return reasons
