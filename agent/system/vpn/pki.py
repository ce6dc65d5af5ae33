"""The VPN's PKI, made and kept with Debian's easy-rsa under one root-only folder.

    <vpn_dir>/            0700 root
      vars                easy-rsa's settings, written by the agent (never a found one)
      tls-crypt.key       OpenVPN's shared key that wraps every control packet
      pki/                easy-rsa's tree: ca.crt, private/ca.key (never leaves this folder),
                          issued/, index.txt, crl.pem, ...

easy-rsa is a shell script that sources a `vars` file it finds in several places (the PKI,
its own folder, the current directory); the agent always names its own with `--vars`, so no
file anyone else could place is ever read. Every name passed to it is a validated common name
("<owner>.<name>" of two validated parts, or "server").

A client's private key exists only for the moment its profile is built: the agent deletes the
key and the request as soon as the profile is in memory, so the profile can be shown once and
the key never again. The certificate and its line in index.txt remain, for the CRL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from agent.system.base.files import write_atomic
from agent.system.base.process import Limits, run

EASYRSA: Final = "/usr/share/easy-rsa/easyrsa"
SERVER_NAME: Final = "server"
# The CRL's own validity: OpenVPN refuses every client once it has passed, so it is long, and
# each revocation writes a new one anyway.
_VARS: Final = (
    "# Written by JoPanel's agent: easy-rsa's settings for the VPN's PKI.\n"
    "set_var EASYRSA_CRL_DAYS 3650\n"
    "set_var EASYRSA_CA_EXPIRE 3650\n"
)
_ALGORITHM: Final = ("--use-algo=ec", "--curve=prime256v1")


@dataclass(frozen=True)
class IndexEntry:
    """One certificate in easy-rsa's index.txt."""

    common_name: str
    state: Literal["valid", "revoked", "expired"]


@dataclass(frozen=True)
class ClientFiles:
    ca: str
    certificate: str
    key: str


class Pki:
    def __init__(self, directory: Path, limits: Limits) -> None:
        self.directory = directory
        self.root = directory / "pki"
        self._limits = limits

    @property
    def tls_crypt_key(self) -> Path:
        return self.directory / "tls-crypt.key"

    @property
    def ca(self) -> Path:
        return self.root / "ca.crt"

    @property
    def server_certificate(self) -> Path:
        return self.root / "issued" / f"{SERVER_NAME}.crt"

    @property
    def server_key(self) -> Path:
        return self.root / "private" / f"{SERVER_NAME}.key"

    @property
    def crl(self) -> Path:
        return self.root / "crl.pem"

    def exists(self) -> bool:
        return self.server_certificate.exists() and self.tls_crypt_key.exists()

    async def ensure(self) -> None:
        """Makes whatever part of the PKI is missing: a run cut short is finished, never
        started again over a CA that exists."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        write_atomic(self.directory / "vars", _VARS, 0o600)
        if not (self.root / "index.txt").exists():
            await run(
                [EASYRSA, "--batch", f"--pki-dir={self.root}", "init-pki"], limits=self._limits
            )
            # init-pki copies an example `vars` into the PKI; only ours is ever read.
            (self.root / "vars").unlink(missing_ok=True)
        if not self.ca.exists():
            await self._easyrsa("--req-cn=JoPanel VPN CA", "build-ca", "nopass")
        if not self.server_certificate.exists():
            await self._easyrsa("--days=3650", "build-server-full", SERVER_NAME, "nopass")
        if not self.crl.exists():
            await self._easyrsa("gen-crl")
        if not self.tls_crypt_key.exists():
            key = self.directory / ".tls-crypt.key.new"
            key.unlink(missing_ok=True)
            await run(["openvpn", "--genkey", "tls-crypt", str(key)], limits=self._limits)
            os.chmod(key, 0o600)
            key.rename(self.tls_crypt_key)

    def entries(self) -> Iterator[IndexEntry]:
        """index.txt's certificates, oldest first."""
        index = self.root / "index.txt"
        if not index.exists():
            return
        for line in index.read_text(encoding="ascii").splitlines():
            fields = line.split("\t")
            if len(fields) != 6 or not fields[5].startswith("/CN="):
                continue
            state: Literal["valid", "revoked", "expired"] = {"V": "valid", "R": "revoked"}.get(
                fields[0], "expired"
            )  # type: ignore[assignment]
            yield IndexEntry(fields[5].removeprefix("/CN="), state)

    async def issue_client(self, common_name: str) -> ClientFiles:
        """A new client certificate and key; the key and request are gone when this returns."""
        key = self.root / "private" / f"{common_name}.key"
        request = self.root / "reqs" / f"{common_name}.req"
        try:
            await self._easyrsa("build-client-full", common_name, "nopass")
            return ClientFiles(
                ca=self.ca.read_text(encoding="ascii"),
                certificate=_pem(self.root / "issued" / f"{common_name}.crt"),
                key=key.read_text(encoding="ascii"),
            )
        finally:
            key.unlink(missing_ok=True)
            request.unlink(missing_ok=True)

    async def revoke(self, common_name: str | None, *, publish: bool = True) -> None:
        """Revokes the valid certificate of that name (if any) and, with `publish`, writes the
        CRL again (None: only that)."""
        if common_name and (self.root / "issued" / f"{common_name}.crt").exists():
            await self._easyrsa("revoke", common_name, "unspecified")
        if publish:
            await self._easyrsa("gen-crl")

    async def _easyrsa(self, *arguments: str) -> None:
        await run(
            [
                EASYRSA,
                "--batch",
                f"--pki-dir={self.root}",
                f"--vars={self.directory / 'vars'}",
                *_ALGORITHM,
                *arguments,
            ],
            limits=self._limits,
        )


def _pem(path: Path) -> str:
    """The PEM block of a certificate file (easy-rsa puts openssl's text dump before it)."""
    text = path.read_text(encoding="ascii")
    return text[text.index("-----BEGIN CERTIFICATE-----") :]
