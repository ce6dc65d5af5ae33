"""The panel's ACME account as the ACME worker holds it.

Its key is root's file /etc/jopanel/acme/account.key (0600, made by the agent at its start:
agent/system/certificates/files.py), never readable by the worker's user on disk: systemd
hands the worker a copy through `LoadCredential=acme-account-key:...`, in a private folder
of the unit's own ($CREDENTIALS_DIRECTORY), and the sandbox's supervisor does the same
(scripts/stack.py). One key serves every directory an administrator may choose (production,
staging, a private CA): the account is registered at each, once, on its first order there.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Final

import requests
from acme import errors, messages

from gateway.acme_orders import AcmeAccount, Directory, IssueFailed, RetryLater

CREDENTIAL: Final = "acme-account-key"
# A PEM key of ECDSA P-256 is about 240 bytes; anything far larger is not the key.
_MAX_KEY_BYTES: Final = 16 * 1024


def read_account_key(path: str = "") -> bytes:
    """The key at `path`, or the credential systemd (or the sandbox) handed this process."""
    if not path:
        folder = os.environ.get("CREDENTIALS_DIRECTORY", "")
        if not folder:
            raise SystemExit(
                "jopanel-acme: no ACME account key: set [acme] account_key or start it from"
                f" its unit (LoadCredential={CREDENTIAL}:/etc/jopanel/acme/account.key)"
            )
        path = str(Path(folder) / CREDENTIAL)
    with open(path, "rb") as file:
        key = file.read(_MAX_KEY_BYTES + 1)
    if len(key) > _MAX_KEY_BYTES or b"PRIVATE KEY-----" not in key:
        raise SystemExit(f"jopanel-acme: {path} holds no PEM private key")
    return key


class AcmeAccounts:
    """The account registered at each directory, made on first use, one at a time."""

    def __init__(self, key_pem: bytes, ca_bundle: str | None) -> None:
        self._key = key_pem
        self._ca_bundle = ca_bundle
        self._registered: dict[tuple[str, str], AcmeAccount] = {}
        self._lock = asyncio.Lock()

    async def at(self, directory_url: str, email: str) -> AcmeAccount:
        """The account at the directory; IssueFailed (for the owner) when the CA cannot be
        reached or refuses it."""
        which = (directory_url, email)
        async with self._lock:
            if which not in self._registered:
                directory = Directory(directory_url, email, self._ca_bundle)
                self._registered[which] = await self._register(directory)
            return self._registered[which]

    async def _register(self, directory: Directory) -> AcmeAccount:
        try:
            return await asyncio.to_thread(AcmeAccount.register, directory, self._key)
        except RetryLater as limited:
            raise IssueFailed(
                "The certificate authority's rate limit is reached; it is asked again later.",
                limited.when,
            ) from None
        except (messages.Error, errors.Error, requests.RequestException) as failed:
            raise IssueFailed(
                "The panel could not reach its certificate authority; the administrator's"
                f" certificate settings name {directory.url} ({type(failed).__name__})."
            ) from None
