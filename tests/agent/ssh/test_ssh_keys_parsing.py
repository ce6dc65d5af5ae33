"""The public key rule (jopanel_rules.ssh) with hostile lines: options, injected lines, blobs
that lie about their type, weak or unknown key types. No sandbox needed."""

from __future__ import annotations

import base64
import struct

import asyncssh
import pytest

from agent.errors import InvalidArgument
from agent.validators import ssh as validators
from jopanel_rules.ssh import BadKey, parse_public_key


def _key(algorithm: str, rsa_bits: int = 3072) -> asyncssh.SSHKey:
    if algorithm == "ssh-rsa":
        return asyncssh.generate_private_key(algorithm, key_size=rsa_bits)
    return asyncssh.generate_private_key(algorithm)


def _line(algorithm: str, rsa_bits: int = 3072) -> str:
    key = _key(algorithm, rsa_bits)
    return key.export_public_key().decode().strip()


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@pytest.mark.parametrize(
    ("algorithm", "bits"),
    [
        ("ssh-ed25519", 256),
        ("ecdsa-sha2-nistp256", 256),
        ("ecdsa-sha2-nistp384", 384),
        ("ecdsa-sha2-nistp521", 521),
        ("ssh-rsa", 3072),
    ],
)
def test_real_keys_parse_with_ssh_keygens_fingerprint(algorithm: str, bits: int) -> None:
    key = _key(algorithm)
    line = key.export_public_key().decode().strip()
    parsed = parse_public_key(line)
    assert (parsed.type, parsed.bits) == (algorithm, bits)
    assert parsed.line == " ".join(line.split(" ")[:2])
    assert parsed.fingerprint == key.get_fingerprint("sha256")


def test_the_lines_own_comment_is_dropped() -> None:
    line = _line("ssh-ed25519")
    assert parse_public_key(f"{line} someone@laptop with spaces").line == line


def test_hostile_lines_are_refused() -> None:
    good = _line("ssh-ed25519")
    kind, encoded = good.split(" ")
    blob = base64.b64decode(encoded)
    name = _string(kind.encode())
    huge_length = base64.b64encode(name + b"\xff" * 4).decode()
    short_ed25519 = base64.b64encode(name + _string(b"k" * 31)).decode()
    hostile = {
        "command option": f'command="/bin/sh" {good}',
        "restrict prefix": f"restrict {good}",
        "from option": f'from="*" {good}',
        "second line": f"{good}\n{good}",
        "carriage return": f"{good} x\rssh-ed25519 AAAA",
        "nul": f"{good}\0",
        "type only": kind,
        "empty": "",
        "unknown type": f"ssh-dss {encoded}",
        "type lies": f"ecdsa-sha2-nistp256 {encoded}",
        "bad base64": f"{kind} {encoded[:-3]}!!!",
        "truncated blob": f"{kind} {base64.b64encode(blob[:-5]).decode()}",
        "trailing data": f"{kind} {base64.b64encode(blob + b'x').decode()}",
        "huge length": f"{kind} {huge_length}",
        "short ed25519": f"{kind} {short_ed25519}",
        "non-ascii": f"{good} ключ",
        "10 kB": f"{kind} {'A' * 10_000}",
        "weak rsa": _line("ssh-rsa", rsa_bits=1024),
    }
    for case, line in hostile.items():
        with pytest.raises(BadKey):
            parse_public_key(line)
        with pytest.raises(InvalidArgument) as caught:
            validators.public_key(line)
        assert caught.value.field == "public_key", case


def test_comments_and_fingerprints_are_held_to_their_shapes() -> None:
    assert validators.key_comment("laptop (work) alice@example.net") == (
        "laptop (work) alice@example.net"
    )
    for bad in ("a\nb", "x" * 101, 'quote"', "tab\t", "back\\slash", "ключ"):
        with pytest.raises(InvalidArgument):
            validators.key_comment(bad)
    fingerprint = parse_public_key(_line("ssh-ed25519")).fingerprint
    assert validators.fingerprint(fingerprint) == fingerprint
    for bad in ("", "MD5:aa", fingerprint + "=", fingerprint[:-1], "SHA256:../../etc/passwd"):
        with pytest.raises(InvalidArgument):
            validators.fingerprint(bad)
