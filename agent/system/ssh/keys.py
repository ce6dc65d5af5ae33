"""Each account's SSH public keys, in a file of root's that sshd reads as the account.

`<ssh_dir>/jopanel-keys/<account>` is root:<account> 0640 in a root 0711 folder: sshd opens an
AuthorizedKeysFile with the account's privileges, so the account must read its own file, but it
can neither change it (options like command= or from= would be its to write) nor list the
folder (other accounts' names) nor read another's. Nothing of it is in the account's tree, so
there is no link to plant. Every line is `restrict,pty <type> <base64> <comment>`, written from
a key parsed by jopanel_rules.ssh and read by ssh-keygen, and a comment of a few safe
characters: `restrict` turns off forwarding and ~/.ssh/rc for the key even if sshd's own
settings for accounts were loosened; `pty` lets sshd's settings decide the PTY (PermitTTY: yes
for accounts with a shell, no for SFTP only). Lines of plain `restrict` (written before shells
existed) are read too, and written anew at the account's next key change.
"""

from __future__ import annotations

import asyncio
import functools
import os
import pwd
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.config import AgentConfig
from agent.errors import FailedPrecondition, InvalidArgument
from agent.system.accounts import users
from agent.system.base import files, process
from agent.system.base.process import Limits
from agent.validators.accounts import AccountName
from agent.validators.ssh import SshKeyComment, SshKeyFingerprint
from jopanel_rules.ssh import MAX_KEYS, BadKey, PublicKey, parse_public_key

KEYS_DIR_NAME: Final = "jopanel-keys"
KEYS_DIR_MODE: Final = 0o711
KEY_FILE_MODE: Final = 0o640
_OPTIONS: Final = "restrict,pty"
_OPTIONS_READ: Final = frozenset({_OPTIONS, "restrict"})


@dataclass(frozen=True)
class StoredKey:
    key: PublicKey
    comment: str


class SshKeys:
    """The keys of every account; one lock orders changes (each rewrites a whole file)."""

    def __init__(self, directory: Path, limits: Limits) -> None:
        self.directory = directory
        self._limits = limits
        self._lock = asyncio.Lock()
        self._removing: set[str] = set()

    async def keys_of(self, account: AccountName) -> list[StoredKey]:
        self._require_account(account)
        return self._load(account)

    async def add(self, account: AccountName, key: PublicKey, comment: SshKeyComment) -> StoredKey:
        """Adds the key, or gives a key the account has already this comment."""
        await self._check_with_ssh_keygen(key)
        async with self._lock:
            self._require_account(account)
            keys = self._load(account)
            stored = StoredKey(key, comment)
            same = [i for i, k in enumerate(keys) if k.key.fingerprint == key.fingerprint]
            if same:
                keys[same[0]] = stored
            elif len(keys) >= MAX_KEYS:
                raise FailedPrecondition(f"account {account} has {MAX_KEYS} keys; remove one")
            else:
                keys.append(stored)
            self._save(account, keys)
        return stored

    async def delete(self, account: AccountName, fingerprint: SshKeyFingerprint) -> None:
        """Removes the key; a key the account does not have is fine."""
        async with self._lock:
            keys = self._load(account)
            kept = [k for k in keys if k.key.fingerprint != fingerprint]
            if len(kept) != len(keys):
                self._require_account(account)
                self._save(account, kept)

    @asynccontextmanager
    async def removal(self, account: AccountName) -> AsyncIterator[None]:
        """Removes the account's keys file (AccountService, before deleting the account), then
        refuses new keys for it until it is gone: a file left behind would let the next user
        given the name sign in with the old owner's keys."""
        self._removing.add(account)
        try:
            async with self._lock:
                self._remove_file(account)
            yield
        finally:
            self._removing.discard(account)

    def _remove_file(self, account: AccountName) -> None:
        try:
            self._file(account).unlink()
        except FileNotFoundError:
            return
        files.sync_directory(self.directory)

    def _require_account(self, account: AccountName) -> None:
        if account in self._removing:
            raise FailedPrecondition(f"account {account} is being deleted")
        if not users.is_account(account):
            raise FailedPrecondition(f"account {account} does not exist")

    async def _check_with_ssh_keygen(self, key: PublicKey) -> None:
        """OpenSSH's own parser reads the key too (an ECDSA point off its curve, say, parses
        above but not here)."""
        done = await process.run(
            ["ssh-keygen", "-l", "-f", "-"],
            stdin=f"{key.line}\n".encode(),
            ok_codes=(0, 1, 255),
            limits=self._limits,
        )
        if done.returncode != 0:
            raise InvalidArgument("public_key", "ssh-keygen does not read it as a public key")

    def _file(self, account: AccountName) -> Path:
        return self.directory / account

    def _load(self, account: AccountName) -> list[StoredKey]:
        try:
            text = self._file(account).read_text(encoding="ascii")
        except FileNotFoundError:
            return []
        keys = []
        for line in text.splitlines():
            options, _, rest = line.partition(" ")
            kind, encoded, comment = [*rest.split(" ", 2), ""][:3]
            try:
                key = parse_public_key(f"{kind} {encoded}")
            except BadKey:
                raise FailedPrecondition(f"{self._file(account)} is damaged; repair it") from None
            if options not in _OPTIONS_READ:
                raise FailedPrecondition(f"{self._file(account)} is damaged; repair it")
            keys.append(StoredKey(key, comment))
        return keys

    def _save(self, account: AccountName, keys: list[StoredKey]) -> None:
        self._ensure_directory()
        if not keys:
            self._remove_file(account)
            return
        text = "".join(f"{_OPTIONS} {k.key.line} {k.comment}".rstrip() + "\n" for k in keys)
        gid = pwd.getpwnam(account).pw_gid
        files.write_atomic(self._file(account), text, KEY_FILE_MODE, group=gid)

    def _ensure_directory(self) -> None:
        with suppress(FileExistsError):
            self.directory.mkdir(mode=KEYS_DIR_MODE)
        info = os.lstat(self.directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0:
            raise FailedPrecondition(f"{self.directory} must be a folder of root's; repair it")
        os.chmod(self.directory, KEYS_DIR_MODE)


@functools.cache
def ssh_keys(config: AgentConfig) -> SshKeys:
    """The one SshKeys of the agent: SshService and AccountService (which removes an
    account's keys before deleting it) share its lock."""
    return SshKeys(config.ssh_dir / KEYS_DIR_NAME, config.limits("account"))
