"""The OpenVPN server: its configuration, rendered from validated settings only; the process,
started by the agent; and its management interface, on a Unix socket only root can reach.

The configuration names nothing a caller chose but validated numbers and addresses (and a
host name in the clients' profiles), each written by this module, so no request can add a
directive. OpenVPN reads its keys as root and then runs as nobody:nogroup; the CRL, which it
reads again at every handshake, is therefore published world-readable (it holds no secret).

Who runs OpenVPN is the configuration's `vpn_supervisor`. "agent" (the sandbox): the agent
starts it itself (`--daemon`, leaving the agent's process group, with a pid file); it outlives
an agent restart, and the agent finds it again by its pid file, checking that the pid is still
an openvpn. "systemd" (a server): the agent's own unit has no tun device and no CAP_NET_ADMIN,
so OpenVPN runs as its own unit, jopanel-openvpn.service (deploy/systemd/), which the agent
enables and restarts, or disables and stops, with systemctl. Whether it
serves is asked on its management interface (`state` says CONNECTED once its start is done);
`status 3` lists the connected clients; `client-kill <cid> HALT` drops one at once and tells
it not to come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import grp
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import Unavailable
from agent.system.base.files import write_atomic
from agent.system.base.process import Limits, run
from agent.system.vpn.pki import Pki
from agent.validators.vpn import ServerSettings

# How often the agent looks again while it waits for OpenVPN to start or stop.
_POLL: Final = 0.05
_LOG_TAIL: Final = 2000
# The unit that runs OpenVPN on a server (vpn_supervisor = "systemd").
UNIT: Final = "jopanel-openvpn.service"
# A client-config-dir file that refuses the client (OpenVPN's `disable`).
_DISABLE: Final = "disable\n"


@dataclass(frozen=True)
class Connection:
    common_name: str
    real_address: str
    tunnel_address: str
    bytes_received: int
    bytes_sent: int
    connected_since: int
    client_id: str


@dataclass(frozen=True)
class Paths:
    config: Path  # the server's configuration, 0600 root
    crl: Path  # the CRL as OpenVPN reads it, 0644
    run_dir: Path  # 0700 root: the management socket, pid file and log
    # OpenVPN's client-config-dir, 0750 root:nogroup: a file `disable` per client of a
    # suspended account, read by OpenVPN (as nobody) at each connection.
    clients: Path

    @property
    def management(self) -> Path:
        return self.run_dir / "management.sock"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "openvpn.pid"

    @property
    def log(self) -> Path:
        return self.run_dir / "openvpn.log"


def render_server(settings: ServerSettings, pki: Pki, paths: Paths, device: str) -> str:
    network = settings.network
    lines = [
        "# Written by JoPanel's agent from the VPN settings in the panel; changes made here",
        "# are lost at the next change there.",
        f"port {settings.port}",
        f"proto {settings.protocol}",
        f"dev {device}",
        "dev-type tun",
        "topology subnet",
        f"server {network.network_address} {network.netmask}",
        f"ca {pki.ca}",
        f"cert {pki.server_certificate}",
        f"key {pki.server_key}",
        "dh none",
        f"tls-crypt {pki.tls_crypt_key}",
        f"crl-verify {paths.crl}",
        f"client-config-dir {paths.clients}",
        "remote-cert-tls client",
        "tls-version-min 1.2",
        "keepalive 10 60",
        "persist-key",
        "persist-tun",
        "user nobody",
        "group nogroup",
        f"management {paths.management} unix",
        f"writepid {paths.pid_file}",
        f"log-append {paths.log}",
        "verb 3",
    ]
    if settings.protocol == "udp":
        lines.append("explicit-exit-notify 1")
    lines += [f'push "dhcp-option DNS {address}"' for address in settings.dns_servers]
    lines += [f'push "route {route.network_address} {route.netmask}"' for route in settings.routes]
    return "\n".join(lines) + "\n"


def render_profile(settings: ServerSettings, pki: Pki, certificate: str, key: str) -> str:
    """A client's .ovpn: everything inline, so it is one file to import."""
    ca = pki.ca.read_text(encoding="ascii")
    tls_crypt = pki.tls_crypt_key.read_text(encoding="ascii")
    lines = [
        "# OpenVPN profile made by JoPanel. It holds this client's private key: keep it safe.",
        "client",
        "dev tun",
        f"proto {settings.protocol}",
        f"remote {settings.public_address} {settings.port}",
        "nobind",
        "persist-key",
        "persist-tun",
        "remote-cert-tls server",
        "verify-x509-name server name",
        "tls-version-min 1.2",
        "verb 3",
        f"<ca>\n{ca.strip()}\n</ca>",
        f"<cert>\n{certificate.strip()}\n</cert>",
        f"<key>\n{key.strip()}\n</key>",
        f"<tls-crypt>\n{tls_crypt.strip()}\n</tls-crypt>",
    ]
    return "\n".join(lines) + "\n"


class OpenVpn:
    def __init__(self, paths: Paths, limits: Limits, *, systemd: bool = False) -> None:
        self.paths = paths
        self._limits = limits
        self._systemd = systemd
        # OpenVPN serves one management client at a time.
        self._management = asyncio.Lock()

    def publish_crl(self, pki: Pki) -> None:
        self.paths.crl.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        write_atomic(self.paths.crl, pki.crl.read_text(encoding="ascii"), 0o644)

    def publish_disabled(self, common_names: set[str]) -> None:
        """Makes the client-config-dir hold a `disable` file for exactly these clients: OpenVPN
        refuses their connections (AUTH_FAILED) while their certificates stay valid, so lifting
        a suspension needs no new profile. Only names of validated clients reach it."""
        folder = self.paths.clients
        folder.mkdir(mode=0o750, parents=True, exist_ok=True)
        # OpenVPN reads the folder after dropping to nobody:nogroup; nobody else needs to
        # learn which accounts are suspended.
        os.chown(folder, 0, grp.getgrnam("nogroup").gr_gid)
        os.chmod(folder, 0o750)  # noqa: S103 - group nogroup: OpenVPN itself
        for found in folder.iterdir():
            if found.name not in common_names:
                found.unlink(missing_ok=True)
        for name in common_names:
            path = folder / name
            with contextlib.suppress(FileNotFoundError):
                if path.read_text(encoding="ascii") == _DISABLE:
                    continue
            write_atomic(path, _DISABLE, 0o644)

    def write_config(self, text: str) -> bool:
        """Writes the configuration; True when it changed."""
        self.paths.config.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if self.paths.config.read_text(encoding="utf-8") == text:
                return False
        write_atomic(self.paths.config, text, 0o600)
        return True

    async def start(self) -> None:
        """Starts OpenVPN and returns once it serves; Unavailable with its log's tail if not."""
        self.paths.run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.paths.run_dir, 0o700)
        self.paths.pid_file.unlink(missing_ok=True)
        self.paths.management.unlink(missing_ok=True)
        start = self.paths.log.stat().st_size if self.paths.log.exists() else 0
        if self._systemd:
            await run(["systemctl", "enable", "--quiet", UNIT], limits=self._limits)
            await run(["systemctl", "restart", UNIT], limits=self._limits)
        else:
            await run(
                ["openvpn", "--config", str(self.paths.config), "--daemon", "jopanel-vpn"],
                limits=self._limits,
            )
        try:
            async with asyncio.timeout(self._limits.timeout):
                while not await self.serving():
                    if self._pid() is None and self.paths.pid_file.exists():
                        raise Unavailable(f"OpenVPN stopped while starting: {self._log(start)}")
                    await asyncio.sleep(_POLL)
        except TimeoutError:
            await self.stop()
            raise Unavailable(
                f"OpenVPN did not start within {self._limits.timeout:g} s "
                f"({self._limits.setting}): {self._log(start)}"
            ) from None

    async def stop(self) -> None:
        if self._systemd:
            await run(["systemctl", "disable", "--quiet", "--now", UNIT], limits=self._limits)
            return
        pid = self._pid()
        if pid is None:
            return
        try:
            # A pidfd becomes readable when the process exits: no polling, no pid reuse.
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            self.paths.pid_file.unlink(missing_ok=True)
            return
        try:
            exited = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().add_reader(pidfd, _done, exited)
            signal.pidfd_send_signal(pidfd, signal.SIGTERM)
            try:
                async with asyncio.timeout(self._limits.timeout):
                    await exited
            except TimeoutError:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        finally:
            asyncio.get_running_loop().remove_reader(pidfd)
            os.close(pidfd)
        self.paths.pid_file.unlink(missing_ok=True)

    def running(self) -> bool:
        return self._pid() is not None

    async def serving(self) -> bool:
        """OpenVPN answers on its management socket and has finished starting."""
        try:
            lines = await self._command("state", multiline=True)
        except (OSError, Unavailable):
            return False
        return any(",CONNECTED," in line for line in lines)

    async def connections(self) -> list[Connection]:
        """The connected clients; none when OpenVPN is not running."""
        if not self.running():
            return []
        try:
            lines = await self._command("status 3", multiline=True)
        except OSError:
            return []
        return _connections(lines)

    async def drop(self, common_name: str) -> None:
        """Disconnects every connection of the certificate at once, telling it to stay away."""
        for connection in await self.connections():
            if connection.common_name == common_name:
                await self._command(f"client-kill {connection.client_id} HALT", multiline=False)

    async def _command(self, command: str, *, multiline: bool) -> list[str]:
        async with self._management, self._session() as (reader, writer):
            writer.write(command.encode("ascii") + b"\n")
            await writer.drain()
            lines: list[str] = []
            while True:
                line = (await reader.readline()).decode("utf-8", "replace").rstrip("\r\n")
                if not line and reader.at_eof():
                    raise Unavailable("OpenVPN closed its management interface")
                if line.startswith(">"):  # a notification, not the answer
                    continue
                if not multiline:
                    return [line]
                if line == "END":
                    return lines
                lines.append(line)

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
        try:
            async with asyncio.timeout(self._limits.timeout):
                reader, writer = await asyncio.open_unix_connection(str(self.paths.management))
        except TimeoutError:
            raise Unavailable("OpenVPN's management interface did not answer") from None
        try:
            async with asyncio.timeout(self._limits.timeout):
                yield reader, writer
        except TimeoutError:
            raise Unavailable("OpenVPN's management interface did not answer") from None
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _pid(self) -> int | None:
        """The running OpenVPN's pid, from its pid file, if that pid is still an openvpn."""
        try:
            pid = int(self.paths.pid_file.read_text(encoding="ascii").strip())
            comm = Path(f"/proc/{pid}/comm").read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return None
        return pid if comm == "openvpn" else None

    def _log(self, start: int) -> str:
        try:
            with self.paths.log.open("rb") as log:
                log.seek(start)
                text = log.read().decode("utf-8", "replace")
        except OSError:
            return "no log"
        return text[-_LOG_TAIL:].strip() or "no log"


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _connections(lines: list[str]) -> list[Connection]:
    header: list[str] = []
    found: list[Connection] = []
    for line in lines:
        fields = line.split("\t")
        if fields[:2] == ["HEADER", "CLIENT_LIST"]:
            header = fields[1:]
        elif fields[0] == "CLIENT_LIST" and len(fields) == len(header):
            row = dict(zip(header, fields, strict=True))
            found.append(
                Connection(
                    common_name=row["Common Name"],
                    real_address=row["Real Address"],
                    tunnel_address=row["Virtual Address"],
                    bytes_received=_number(row["Bytes Received"]),
                    bytes_sent=_number(row["Bytes Sent"]),
                    connected_since=_number(row["Connected Since (time_t)"]),
                    client_id=str(_number(row["Client ID"])),
                )
            )
    return found


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0
