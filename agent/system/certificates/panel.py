"""The panel's own certificate: the TLS server block of the panel's host name (the installer's
deploy/nginx/jopanel-panel.conf.in, the sandbox's scripts/stack.py) includes one file the agent
writes, naming the pair it serves (docs/certificates.md, "The panel's own host name"):

    /etc/jopanel/tls/                                  root 0700
        panel.key, panel.crt                           the installer's self-signed pair, never
                                                       touched here: what is served until an
                                                       ACME certificate is installed
        panel-tls.conf                                 ssl_certificate + ssl_certificate_key
        <host>/pending.key                             the key of an order in progress
        <host>/<fingerprint>.key, .crt                 the installed pair
    /var/lib/jopanel/panel-acme-challenge/<host>/.well-known/acme-challenge/<token>   0644

The challenge folder is not under the sites' challenge root, so no website's server block can
ever serve (or be made to serve) the panel's tokens, nor the panel's block a site's. An install
writes the new pair beside the live one, switches the include with one rename, and keeps the
switch only when `nginx -t` and the reload succeed; otherwise the previous include comes back
and the new pair goes, so the panel never goes dark.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import FailedPrecondition, NotFound
from agent.system.base import files, process
from agent.system.certificates.files import CertificateFiles, read_nofollow
from agent.system.web import nginx
from agent.validators.common import Hostname

PANEL_TLS_ROOT: Final = Path("/etc/jopanel/tls")
PANEL_CHALLENGE_ROOT: Final = Path("/var/lib/jopanel/panel-acme-challenge")
INCLUDE: Final = "panel-tls.conf"
SELF_SIGNED_KEY: Final = "panel.key"
SELF_SIGNED_CHAIN: Final = "panel.crt"
_LIVE: Final = re.compile(r"^ssl_certificate (/\S+)/([0-9a-f]{64})\.crt;$", re.MULTILINE)


@dataclass(frozen=True)
class ServedPair:
    key_pem: bytes
    chain: str
    self_signed: bool


class PanelTls:
    """The panel host's pair as nginx serves it, and the switch to a new one."""

    def __init__(
        self,
        host: Hostname,
        nginx_conf: Path,
        pid_file: Path,
        limits: process.Limits,
        root: Path = PANEL_TLS_ROOT,
        challenge_root: Path = PANEL_CHALLENGE_ROOT,
    ) -> None:
        self.host = host
        self.root = root
        self.files = CertificateFiles(ssl_root=root, challenge_root=challenge_root)
        self._nginx_conf = nginx_conf
        self._pid_file = pid_file
        self._limits = limits

    @property
    def include(self) -> Path:
        return self.root / INCLUDE

    def live_fingerprint(self) -> str | None:
        """The fingerprint of the installed pair the include names; None: the self-signed one
        (or a pair of another host name, as after the host name changed)."""
        text = self._read_text(self.include)
        match = _LIVE.search(text or "")
        if match is None or Path(match[1]) != self.files.folder(self.host):
            return None
        return match[2]

    def served(self) -> ServedPair:
        fingerprint = self.live_fingerprint()
        if fingerprint is not None:
            pair = self.files.read_pair(self.host, fingerprint)
            if pair is not None:
                return ServedPair(pair[0], pair[1], self_signed=False)
        self.files.checked_folder(self.host)  # checks the root folder before reading in it
        key = read_nofollow(self.root / SELF_SIGNED_KEY)
        chain = read_nofollow(self.root / SELF_SIGNED_CHAIN)
        if key is None or chain is None:
            raise NotFound(f"no certificate is installed for the panel's host name {self.host}")
        return ServedPair(key, chain.decode("ascii"), self_signed=True)

    async def switch_to(self, fingerprint: str, key_pem: bytes, chain: str) -> None:
        """Serves the new pair, or raises with the previous one still served."""
        self.files.write_pair(self.host, fingerprint, key_pem, chain)
        previous = self._read_text(self.include)
        files.write_atomic(self.include, self._include_text(fingerprint), 0o600)
        try:
            await self._check()
            await nginx.reload(self._pid_file)
        except Exception:
            await self._restore(previous)
            for path in (
                self.files.key_path(self.host, fingerprint),
                self.files.chain_path(self.host, fingerprint),
            ):
                path.unlink(missing_ok=True)
            raise
        self.files.keep_only(self.host, fingerprint)

    async def _restore(self, previous: str | None) -> None:
        if previous is None:
            self.include.unlink(missing_ok=True)
        else:
            files.write_atomic(self.include, previous, 0o600)
        # nginx may have taken the new include before failing later: back to the old one.
        # nginx not running: it reads the restored include when it starts.
        with contextlib.suppress(FailedPrecondition):
            await nginx.reload(self._pid_file)

    async def _check(self) -> None:
        argv = ["nginx", "-t", "-q", "-c", str(self._nginx_conf)]
        done = await process.run(argv, ok_codes=range(256), limits=self._limits)
        if done.returncode != 0:
            raise nginx.NginxRejected(nginx.message(done.stderr))

    def _include_text(self, fingerprint: str) -> str:
        return (
            "# Written by jopanel-agent: the pair the panel's host name is served with\n"
            '# (docs/certificates.md, "The panel\'s own host name"). Do not edit.\n'
            f"ssl_certificate {self.files.chain_path(self.host, fingerprint)};\n"
            f"ssl_certificate_key {self.files.key_path(self.host, fingerprint)};\n"
        )

    def _read_text(self, path: Path) -> str | None:
        self.files.checked_folder(self.host)
        data = read_nofollow(path)
        return None if data is None else data.decode("utf-8", errors="replace")
