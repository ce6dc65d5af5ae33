"""Where certificates, keys and challenge tokens live: folders only root writes, every name
derived by the agent from a validated domain, a fingerprint or a token.

    /etc/jopanel/ssl                               root 0700
    /etc/jopanel/ssl/<domain>/                     root 0700
        pending.key                                0600: the key of an order in progress
        <fingerprint>.key, <fingerprint>.crt       0600: an installed key and its chain
    /var/lib/jopanel/acme-challenge                root 0755
    /var/lib/jopanel/acme-challenge/<domain>/.well-known/acme-challenge/<token>   0644
    /etc/jopanel/acme                              root 0700
        account.key                                0600: the panel's ACME account key

An installed pair is named after the leaf's SHA-256 fingerprint, and the site's nginx record
names that fingerprint: a renewal writes a new pair beside the old one and switches with the
nginx generation, so nginx never reads a new key with an old chain. Files are written to a
temporary name, fsynced and renamed (a link planted at the final name is replaced, never
followed); they are read with O_NOFOLLOW, and a folder that is a link, not root's, or
writable by others stops the agent with FAILED_PRECONDITION before it reads or writes there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import FailedPrecondition, ResourceExhausted
from agent.system.base.files import write_atomic
from agent.system.base.locks import KeyedLocks
from agent.system.certificates.keys import new_key
from agent.validators.certificates import ChallengeToken, KeyAuthorization
from agent.validators.common import Hostname

SSL_ROOT: Final = Path("/etc/jopanel/ssl")
CHALLENGE_ROOT: Final = Path("/var/lib/jopanel/acme-challenge")
CHALLENGE_PATH: Final = ".well-known/acme-challenge"
PENDING_KEY: Final = "pending.key"
MAX_TOKENS: Final = 100
ACME_ROOT: Final = Path("/etc/jopanel/acme")
ACCOUNT_KEY: Final = "account.key"
# One lock per domain orders every change of its key and pair files, whoever makes it: the
# CertificateService and a restore's certificates (agent/system/backups/certificates.py).
INSTALL_LOCKS: Final[KeyedLocks[Hostname]] = KeyedLocks()


@dataclass(frozen=True)
class CertificateFiles:
    ssl_root: Path = SSL_ROOT
    challenge_root: Path = CHALLENGE_ROOT

    def folder(self, domain: Hostname) -> Path:
        return self.ssl_root / domain

    def key_path(self, domain: Hostname, fingerprint: str) -> Path:
        return self.folder(domain) / f"{fingerprint}.key"

    def chain_path(self, domain: Hostname, fingerprint: str) -> Path:
        return self.folder(domain) / f"{fingerprint}.crt"

    def challenge_folder(self, domain: Hostname) -> Path:
        """What a site's challenge location uses as its root."""
        return self.challenge_root / domain

    # Keys and chains

    def read_pending_key(self, domain: Hostname) -> bytes | None:
        return self._read(self._ssl_folder(domain) / PENDING_KEY)

    def write_pending_key(self, domain: Hostname, key_pem: bytes) -> None:
        write_atomic(self._ssl_folder(domain) / PENDING_KEY, key_pem.decode("ascii"), 0o600)

    def write_pair(self, domain: Hostname, fingerprint: str, key_pem: bytes, chain: str) -> None:
        self._ssl_folder(domain)
        write_atomic(self.key_path(domain, fingerprint), key_pem.decode("ascii"), 0o600)
        write_atomic(self.chain_path(domain, fingerprint), chain, 0o600)

    def read_pair(self, domain: Hostname, fingerprint: str) -> tuple[bytes, str] | None:
        self._ssl_folder(domain)
        key = self._read(self.key_path(domain, fingerprint))
        chain = self._read(self.chain_path(domain, fingerprint))
        if key is None or chain is None:
            return None
        return key, chain.decode("ascii")

    def keep_only(self, domain: Hostname, fingerprint: str | None) -> None:
        """Removes every file of the domain but the pair of `fingerprint` (the live one)."""
        folder = self._ssl_folder(domain)
        keep = {f"{fingerprint}.key", f"{fingerprint}.crt"} if fingerprint else set()
        for entry in os.listdir(folder):
            if entry not in keep:
                os.unlink(folder / entry)  # unlink removes a link, never its target

    def remove(self, domain: Hostname) -> None:
        """Every file of the domain: keys, chains and tokens."""
        for folder in (self.folder(domain), self.challenge_folder(domain)):
            if folder.is_symlink():
                folder.unlink()
            elif folder.is_dir():
                shutil.rmtree(folder)  # root's own folders: rmtree does not follow links

    # Challenge tokens

    def put_token(self, domain: Hostname, token: ChallengeToken, text: KeyAuthorization) -> None:
        folder = self._challenge_folder(domain)
        if not (folder / token).exists() and len(os.listdir(folder)) >= MAX_TOKENS:
            raise ResourceExhausted(f"{MAX_TOKENS} challenge tokens are published for {domain}")
        write_atomic(folder / token, text, 0o644)

    def delete_token(self, domain: Hostname, token: ChallengeToken) -> None:
        path = self.challenge_folder(domain) / CHALLENGE_PATH / token
        if self.challenge_folder(domain).is_dir():
            self._challenge_folder(domain)  # checks the folders before anything is removed
            path.unlink(missing_ok=True)

    # Folders

    def checked_folder(self, domain: Hostname) -> Path:
        """The domain's key folder, made or checked (root's, no link, only root writes)."""
        return self._ssl_folder(domain)

    def _ssl_folder(self, domain: Hostname) -> Path:
        _root_folder(self.ssl_root, 0o700)
        return _root_folder(self.folder(domain), 0o700)

    def _challenge_folder(self, domain: Hostname) -> Path:
        folder = _root_folder(self.challenge_root, 0o755)
        for part in (domain, *CHALLENGE_PATH.split("/")):
            folder = _root_folder(folder / part, 0o755)
        return folder

    @staticmethod
    def _read(path: Path) -> bytes | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise FailedPrecondition(
                    f"{path} is a link; the agent does not follow it"
                ) from None
            raise
        with open(fd, "rb") as file:
            return file.read()


def read_nofollow(path: Path) -> bytes | None:
    """A file's bytes (None when missing); a link at its name is refused, never followed."""
    return CertificateFiles._read(path)


def _root_folder(path: Path, mode: int) -> Path:
    """The folder, made when missing; refused when it is a link, not root's, or writable by
    anyone but root."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=mode, parents=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise FailedPrecondition(
            f"{path} must be a folder of root's that only root writes; the agent stopped there"
        )
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode, follow_symlinks=False)
    return path


def ensure_account_key(root: Path = ACME_ROOT) -> Path:
    """The panel's ACME account key, made once (ECDSA P-256, as ACME's ES256 wants) in a
    folder only root reads. The ACME worker never opens it: systemd hands it a copy
    (LoadCredential=, docs/certificates.md). A key already there, as the installer carries
    one over from an older panel, is kept; a link at its name is refused, never followed."""
    path = _root_folder(root, 0o700) / ACCOUNT_KEY
    if CertificateFiles._read(path) is None:
        write_atomic(path, new_key("ecdsa-p256").decode("ascii"), 0o600)
        return path
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != 0:
        raise FailedPrecondition(f"{path} must be a file of root's; the agent stopped there")
    if stat.S_IMODE(info.st_mode) != 0o600:
        os.chmod(path, 0o600, follow_symlinks=False)
    return path
