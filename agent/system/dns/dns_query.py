"""One question to named over UDP: the serial of a zone as it serves it now.

After a reload the agent must know that named serves the new zone file before the RPC returns.
Asking over DNS takes a packet, not a program (rndc zonestatus starts one per zone), which
matters when a batch changes hundreds of zones. Only the SOA serial is read from the answer.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import struct
from typing import Final

SOA: Final = 6
IN: Final = 1
_HEADER: Final = struct.Struct("!HHHHHH")


async def soa_serial(port: int, zone: str, timeout: float) -> int | None:  # noqa: ASYNC109
    """The zone's serial as named on 127.0.0.1:port serves it, or None when it does not serve
    the zone (REFUSED, NXDOMAIN, no answer). Raises TimeoutError or OSError when named does
    not answer at all."""
    query_id = secrets.randbelow(65536)
    # Flags 0: a standard query without recursion desired.
    question = _HEADER.pack(query_id, 0, 1, 0, 0, 0) + _name(zone) + struct.pack("!HH", SOA, IN)
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        sock.connect(("127.0.0.1", port))
        await loop.sock_sendall(sock, question)
        async with asyncio.timeout(timeout):
            while True:
                reply = await loop.sock_recv(sock, 65535)
                if reply[:2] == question[:2]:  # a late answer to someone else is dropped
                    break
    try:
        return _serial(reply)
    except (struct.error, IndexError):
        return None


def _name(zone: str) -> bytes:
    labels = zone.encode("ascii").split(b".")
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def _serial(reply: bytes) -> int | None:
    _, flags, questions, answers, _, _ = _HEADER.unpack_from(reply)
    if flags & 0x000F or not answers:  # an error code, or no answer
        return None
    offset = _HEADER.size
    for _ in range(questions):
        offset = _skip_name(reply, offset) + 4
    for _ in range(answers):
        offset = _skip_name(reply, offset)
        kind, _, _, length = struct.unpack_from("!HHIH", reply, offset)
        offset += 10
        if kind == SOA:
            data = _skip_name(reply, _skip_name(reply, offset))  # MNAME, RNAME
            serial: int = struct.unpack_from("!I", reply, data)[0]
            return serial
        offset += length
    return None


def _skip_name(data: bytes, offset: int) -> int:
    """The offset after a (possibly compressed) name."""
    while True:
        length = data[offset]
        if length & 0xC0 == 0xC0:  # a pointer ends the name
            return offset + 2
        offset += 1 + length
        if length == 0:
            return offset
