"""Remote restic repositories an administrator adds (SFTP, S3-compatible), and their secrets.

Each lives in /var/lib/jopanel/backups/repositories/<name>/ (0700 root, every file 0600):

- `spec.json`: where it is (no secret): kind, host, port, user, path; or endpoint, bucket,
  prefix, region; the fingerprint of the SFTP key's public half.
- `password`: restic's password of that repository, made by the agent when it is added
  (`secrets.token_urlsafe(32)`), read by restic through --password-file.
- SFTP: `ssh_key` (the private key), `known_hosts` (the one pinned host key, under the alias
  `jopanel-repository-<name>`), or `login` (a password) with `askpass`, a two-line program
  that prints it for ssh (SSH_ASKPASS, SSH_ASKPASS_REQUIRE=force).
- S3: `s3.json` (access key id and secret key), handed to restic in its environment only.

No secret is in an argv, in a log or in a reply: the API learns only that each is set.

restic reaches an SFTP repository through `-o sftp.command=ssh ...` that the agent builds:
`-F /dev/null` (no ssh_config applies), the pinned host key only (StrictHostKeyChecking yes,
its own known_hosts, HostKeyAlias, no global file, no CheckHostIP), IdentitiesOnly, no agent,
no forwarding, BatchMode with a key. A server that presents another key gets no login and no
data. Adding a repository connects at once (`restic cat config`, or `restic init` where none
is) and keeps nothing when that fails.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final, Literal

from agent.errors import FailedPrecondition, NotFound
from agent.system.backups.repository import Layout, Restic, Target
from agent.system.base import files, process
from agent.validators.backups import RepositoryName

logger = logging.getLogger(__name__)
Kind = Literal["sftp", "s3"]
_ALIAS: Final = "jopanel-repository-{}"
# Prints the login file beside it: the same program works in the staging folder and after.
_ASKPASS: Final = (
    "#!/usr/bin/python3 -I\nimport os, sys\n"
    "folder = os.path.dirname(os.path.abspath(sys.argv[0]))\n"
    "print(open(os.path.join(folder, 'login')).read(), end='')\n"
)


@dataclass(frozen=True)
class Remote:
    name: str
    kind: Kind
    host: str = ""
    port: int = 22
    user: str = ""
    path: str = ""
    endpoint: str = ""
    bucket: str = ""
    prefix: str = ""
    region: str = ""
    host_key: str = ""
    key_fingerprint: str = ""
    secret_set: bool = False


@dataclass(frozen=True)
class Secrets:
    private_key: str = ""
    password: str = ""  # SFTP login
    access_key_id: str = ""
    secret_access_key: str = ""


class Remotes:
    def __init__(self, layout: Layout, limits: process.Limits) -> None:
        self._layout = layout
        self._limits = limits

    @property
    def folder(self) -> Path:
        return self._layout.state_dir / "repositories"

    def list(self) -> list[Remote]:
        if not self.folder.is_dir():
            return []
        return [self._read(entry.name) for entry in sorted(self.folder.iterdir())]

    def get(self, name: RepositoryName) -> Remote:
        if not (self.folder / name / "spec.json").is_file():
            raise NotFound(f"backup repository {name} does not exist")
        return self._read(name)

    def restic(self, name: RepositoryName) -> Restic:
        return Restic(self._layout, self._limits, self._target(self.get(name)))

    async def create(self, remote: Remote, given: Secrets) -> Remote:
        """Writes the repository into a staging folder, connects, and renames it into place:
        a failure leaves the one there before (if any) as it was."""
        for folder in (self._layout.state_dir, self.folder):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = self.folder / f".new-{secrets.token_hex(8)}"
        staging.mkdir(mode=0o700)
        try:
            current = self.folder / remote.name / "password"
            password = current.read_text() if current.is_file() else secrets.token_urlsafe(32)
            files.write_atomic(staging / "password", password, 0o600)
            remote = await self._write_secrets(staging, remote, given)
            files.write_atomic(staging / "spec.json", json.dumps(asdict(remote)), 0o600)
            await self._open_or_init(remote, staging)
            final = self.folder / remote.name
            if final.exists():
                shutil.rmtree(final)
            os.rename(staging, final)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        return remote

    def delete(self, name: RepositoryName) -> None:
        self.get(name)
        shutil.rmtree(self.folder / name)

    async def _write_secrets(self, folder: Path, remote: Remote, given: Secrets) -> Remote:
        if remote.kind == "s3":
            keys = {"id": given.access_key_id, "secret": given.secret_access_key}
            files.write_atomic(folder / "s3.json", json.dumps(keys), 0o600)
            return Remote(**{**asdict(remote), "secret_set": True})
        files.write_atomic(
            folder / "known_hosts", f"{_ALIAS.format(remote.name)} {remote.host_key}\n", 0o600
        )
        if given.private_key:
            files.write_atomic(folder / "ssh_key", given.private_key, 0o600)
            fingerprint = await self._fingerprint(folder / "ssh_key")
            return Remote(**{**asdict(remote), "key_fingerprint": fingerprint})
        files.write_atomic(folder / "login", given.password, 0o600)
        files.write_atomic(folder / "askpass", _ASKPASS, 0o700)
        return Remote(**{**asdict(remote), "secret_set": True})

    async def _fingerprint(self, key: Path) -> str:
        """The public half's fingerprint; ssh-keygen refuses a key that is not one, or one with
        a passphrase (-P '' given, so it never asks)."""
        try:
            public = await process.run(
                ["ssh-keygen", "-y", "-P", "", "-f", str(key)], limits=self._limits
            )
            listed = await process.run(
                ["ssh-keygen", "-l", "-E", "sha256", "-f", "/dev/stdin"],
                limits=self._limits,
                stdin=public.stdout,
            )
        except process.CommandFailed:
            raise FailedPrecondition(
                "private_key is not an unencrypted OpenSSH private key ssh-keygen can read"
            ) from None
        return listed.stdout.decode().split()[1]

    async def _open_or_init(self, remote: Remote, folder: Path) -> None:
        restic = Restic(self._layout, self._limits, self._target(remote, folder))
        restic.layout.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            await restic.open_or_init()
        except process.CommandFailed as error:
            detail = error.stderr.decode(errors="replace")
            logger.warning("backup repository %s: %s", remote.name, process.tail(error.stderr))
            why = (
                "the host key is not the one pinned"
                if "key" in detail.lower()
                else ("restic could not open or make the repository there")
            )
            raise FailedPrecondition(
                f"backup repository {remote.name}: {why}; nothing was kept"
            ) from error

    def _read(self, name: str) -> Remote:
        record = json.loads((self.folder / name / "spec.json").read_text())
        return Remote(**record)

    def _target(self, remote: Remote, folder: Path | None = None) -> Target:
        """How restic reaches it. `folder` is where its files are now (staging, while it is
        added)."""
        where = folder or self.folder / remote.name
        if remote.kind == "s3":
            keys = json.loads((where / "s3.json").read_text())
            keys_env = [
                ("AWS_ACCESS_KEY_ID", str(keys["id"])),
                ("AWS_SECRET_ACCESS_KEY", str(keys["secret"])),
            ]
            if remote.region:
                keys_env.append(("AWS_DEFAULT_REGION", remote.region))
            prefix = f"/{remote.prefix}" if remote.prefix else ""
            repository = f"s3:{remote.endpoint}/{remote.bucket}{prefix}"
            return Target(repository, where / "password", (), tuple(keys_env))
        ssh = [
            "ssh",
            "-F",
            "/dev/null",
            "-p",
            str(remote.port),
            "-l",
            remote.user,
            "-o",
            f"HostKeyAlias={_ALIAS.format(remote.name)}",
            "-o",
            f"UserKnownHostsFile={where / 'known_hosts'}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "CheckHostIP=no",
            "-o",
            "IdentityAgent=none",
            "-o",
            "ForwardAgent=no",
            "-o",
            "ClearAllForwardings=yes",
            "-o",
            "ConnectTimeout=30",
            "-o",
            "ServerAliveInterval=30",
        ]
        env: list[tuple[str, str]] = []
        if (where / "ssh_key").is_file():
            ssh += ["-i", str(where / "ssh_key"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"]
            ssh += ["-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no"]
        else:
            ssh += ["-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1"]
            env += [("SSH_ASKPASS", str(where / "askpass")), ("SSH_ASKPASS_REQUIRE", "force")]
        ssh += [remote.host, "-s", "sftp"]
        # restic splits sftp.command on spaces, and its -o flag splits values on commas: no
        # part above has either (validated names, the agent's own paths).
        options = ("-o", f"sftp.command={' '.join(ssh)}")
        repository = f"sftp:{remote.user}@{_ALIAS.format(remote.name)}:{remote.path}"
        return Target(repository, where / "password", options, tuple(env))
