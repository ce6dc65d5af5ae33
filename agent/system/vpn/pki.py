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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

from cryptography import x509

from agent.system.base.cached import ParsedFile
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
    # When `renew` is allowed is the agent's rule (RENEWAL_WINDOW_DAYS, checked before it
    # runs); easy-rsa's own check (30 days, to the second) would refuse a renewal at the edge.
    "set_var EASYRSA_CERT_RENEW 3650\n"
)
_ALGORITHM: Final = ("--use-algo=ec", "--curve=prime256v1")


@dataclass(frozen=True)
class IndexEntry:
    """One certificate in easy-rsa's index.txt."""

    common_name: str
    state: Literal["valid", "revoked", "expired"]
    expires: datetime


@dataclass(frozen=True)
class ClientFiles:
    ca: str
    certificate: str
    key: str


class Pki:
    def __init__(self, directory: Path, limits: Limits, client_days: int = 825) -> None:
        self.directory = directory
        self.root = directory / "pki"
        self._limits = limits
        self._client_days = client_days
        self._index = ParsedFile(self.root / "index.txt", _parse_index)

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
        write_atomic(
            self.directory / "vars",
            _VARS + f"set_var EASYRSA_CERT_EXPIRE {int(self._client_days)}\n",
            0o600,
        )
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

    def entries(self) -> tuple[IndexEntry, ...]:
        """index.txt's certificates, oldest first: parsed again only when easy-rsa has changed
        the file. Every owner's list reads it whole, and the reconcile asks every account's: at
        thousands of clients, a parse per list made the reconcile's time grow as their square."""
        try:
            return self._index.get()
        except FileNotFoundError:
            return ()

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

    def renewed(self, common_name: str) -> Path:
        """Where easy-rsa's `renew` keeps the previous certificate, valid until it expires."""
        return self.root / "renewed" / "issued" / f"{common_name}.crt"

    async def renew_client(self, common_name: str) -> tuple[ClientFiles, bool]:
        """A new certificate and key for the name; True when a certificate was revoked (the
        CRL must be published). The previous one stays valid until it expires (`renew` moves
        it to renewed/). During that time, a second renewal revokes the newest certificate
        (its profile was lost, or is being replaced) and issues another: the previous one
        keeps its place, so at most two certificates of a client are ever valid."""
        renewed = self.renewed(common_name)
        if renewed.exists() and _not_after(renewed) <= datetime.now(UTC):
            _remove_renewed(self.root, common_name)  # expired: it needs no revocation
        if renewed.exists():
            await self._easyrsa("revoke", common_name, "superseded")
            return await self.issue_client(common_name), True
        key = self.root / "private" / f"{common_name}.key"
        request = self.root / "reqs" / f"{common_name}.req"
        try:
            await self._easyrsa("renew", common_name, "nopass")
            files = ClientFiles(
                ca=self.ca.read_text(encoding="ascii"),
                certificate=_pem(self.root / "issued" / f"{common_name}.crt"),
                key=key.read_text(encoding="ascii"),
            )
        finally:
            key.unlink(missing_ok=True)
            request.unlink(missing_ok=True)
        return files, False

    async def revoke(self, common_name: str | None, *, publish: bool = True) -> None:
        """Revokes the valid certificates of that name (the newest, and the one a renewal kept
        valid; if any) and, with `publish`, writes the CRL again (None: only that)."""
        if common_name and (self.root / "issued" / f"{common_name}.crt").exists():
            await self._easyrsa("revoke", common_name, "unspecified")
        if common_name and self.renewed(common_name).exists():
            await self._easyrsa("revoke-renewed", common_name, "superseded")
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


def _parse_index(path: Path) -> tuple[IndexEntry, ...]:
    entries = []
    for line in path.read_text(encoding="ascii").splitlines():
        fields = line.split("\t")
        if len(fields) != 6 or not fields[5].startswith("/CN="):
            continue
        state: Literal["valid", "revoked", "expired"] = {"V": "valid", "R": "revoked"}.get(
            fields[0], "expired"
        )  # type: ignore[assignment]
        entries.append(IndexEntry(fields[5].removeprefix("/CN="), state, _asn1_time(fields[1])))
    return tuple(entries)


def _asn1_time(text: str) -> datetime:
    """index.txt's dates: UTCTime (YYMMDDHHMMSSZ, years 1950-2049) or GeneralizedTime."""
    try:
        if len(text) == 13:
            return datetime.strptime(text, "%y%m%d%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def _not_after(certificate: Path) -> datetime:
    """A certificate's end of validity, read with the cryptography package (no openssl run)."""
    pem = _pem(certificate).encode("ascii")
    return x509.load_pem_x509_certificate(pem).not_valid_after_utc


def _remove_renewed(root: Path, common_name: str) -> None:
    for folder, suffix in (("issued", "crt"), ("private", "key"), ("reqs", "req")):
        (root / "renewed" / folder / f"{common_name}.{suffix}").unlink(missing_ok=True)


def _pem(path: Path) -> str:
    """The PEM block of a certificate file (easy-rsa puts openssl's text dump before it)."""
    text = path.read_text(encoding="ascii")
    return text[text.index("-----BEGIN CERTIFICATE-----") :]
