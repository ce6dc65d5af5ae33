"""named (bind9): the agent's zone files and zone list, their checks, and rndc.

Layout (production paths; the sandbox's are the same):

    <bind_dir>/jopanel/zones.conf         zone "<name>" { type primary; file "<zone file>";
                                            <who may transfer it: _transfers> };
    <bind_dir>/jopanel/zones/<name>.zone  one zone file per zone, 0640 root:bind
    <bind_dir>/jopanel/zones/catalog.jopanel.invalid.zone
                                          the catalog of them, where there are secondaries
                                          (catalog.py)
    <bind_dir>/jopanel/transfer.key       key "jopanel-transfer" { ... }; the TSIG key the
                                          secondaries sign their transfers with, and named
                                          its NOTIFYs to them (dns_transfer_key), 0640
                                          root:bind, made once by the agent

named.conf includes zones.conf (one line an administrator adds on a server; the sandbox's
named.conf has it). Everything lives under /etc/bind: Debian's AppArmor profile lets named read
/etc/bind, /var/lib/bind and /var/cache/bind and nothing else, and of those only /etc/bind is
not writable by named's own user (bind could swap a folder in /var/lib/bind for a link, and the
agent, root, would then write where bind chose). The folders are root's, 0750 root:bind.

A zone file is staged beside the live one, checked with `named-checkzone` and only then renamed
into place; zones.conf is checked with `named-checkconf` before named is told to read it.
"""

from __future__ import annotations

import base64
import grp
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.config import DEFAULTS, AgentConfig
from agent.errors import FailedPrecondition, Internal
from agent.system.base import files, process
from agent.system.dns.catalog import CATALOG_ZONE
from agent.validators import dns as dns_validators
from agent.validators.dns import DnsRecordId, Secondary, ZoneName

BIND_GROUP: Final = "bind"
FOLDER_MODE: Final = 0o750
FILE_MODE: Final = 0o640
ZONE_SUFFIX: Final = ".zone"
_MESSAGE_MAX: Final = 1000
DEFAULT_LIMITS: Final = DEFAULTS.limits("dns")
_SERIAL_LINE: Final = re.compile(r"^serial: (\d+)$", re.MULTILINE)
_POSITION: Final = re.compile(r"^(?:dns_\w+: )?(?P<file>\S+?):(?P<line>\d+): (?P<text>.*)$")
_ZONE_PREFIX: Final = re.compile(r"^zone \S+/IN: ")
# The TSIG key of zone transfers: HMAC-SHA256 with a 256-bit secret (RFC 8945 recommends a key
# as long as the hash's output), in the form tsig-keygen writes, which a secondary's named.conf
# includes as it is.
TRANSFER_KEY_NAME: Final = "jopanel-transfer"
TRANSFER_KEY_ALGORITHM: Final = "hmac-sha256"
_TRANSFER_KEY_BYTES: Final = 32
_TRANSFER_KEY: Final = re.compile(
    rf'key "{TRANSFER_KEY_NAME}" {{\n\talgorithm {TRANSFER_KEY_ALGORITHM};\n'
    r'\tsecret "[A-Za-z0-9+/]{43}=";\n};\n'
)


class ZoneRejected(FailedPrecondition):
    """named-checkzone refused a staged zone file; the message is the checker's, trimmed."""

    def __init__(self, zone: ZoneName, detail: str) -> None:
        super().__init__(f"named-checkzone refused zone {zone}: {detail}")


class NamedUnavailable(FailedPrecondition):
    def __init__(self, detail: str) -> None:
        super().__init__(f"named does not answer rndc ({detail}); start it and try again")


@dataclass(frozen=True)
class Layout:
    zone_dir: Path
    zones_conf: Path
    named_conf: Path
    rndc_key: Path
    rndc_port: int
    limits: process.Limits = DEFAULT_LIMITS  # of named-checkzone, -checkconf, rndc
    # The only hosts that may transfer a zone, each told of every change (NOTIFY).
    secondaries: tuple[Secondary, ...] = ()
    # The TSIG key file they must also sign with (None: their address alone lets them).
    transfer_key: Path | None = None

    @classmethod
    def from_config(cls, config: AgentConfig) -> Layout:
        return cls(
            zone_dir=config.bind_dir / "jopanel" / "zones",
            zones_conf=config.bind_dir / "jopanel" / "zones.conf",
            named_conf=config.bind_dir / "named.conf",
            rndc_key=config.bind_dir / "rndc.key",
            rndc_port=config.rndc_port,
            limits=config.limits("dns"),
            secondaries=tuple(map(dns_validators.secondary, config.dns_secondaries)),
            transfer_key=(
                config.bind_dir / "jopanel" / "transfer.key"
                if config.dns_secondaries and config.dns_transfer_key
                else None
            ),
        )

    def zone_file(self, zone: ZoneName) -> Path:
        return self.zone_dir / f"{zone}{ZONE_SUFFIX}"


def bind_gid() -> int:
    try:
        return grp.getgrnam(BIND_GROUP).gr_gid
    except KeyError:
        raise FailedPrecondition(f"group {BIND_GROUP} does not exist; install bind9") from None


def ensure_folders(layout: Layout, gid: int) -> None:
    """Root's folders that named may read: created when missing, and refused when anyone but
    root could write to them (a planted zone file would be served)."""
    for folder in (layout.zone_dir, layout.zones_conf.parent):
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        info = os.lstat(folder)
        if not folder.is_dir() or folder.is_symlink() or info.st_uid != 0 or info.st_mode & 0o022:
            raise Internal(f"{folder} must be a folder that only root can write to")
        if (info.st_gid, info.st_mode & 0o777) != (gid, FOLDER_MODE):
            os.chown(folder, 0, gid, follow_symlinks=False)
            os.chmod(folder, FOLDER_MODE)


def ensure_transfer_key(path: Path, gid: int) -> None:
    """Makes the transfer key when there is none; a file that is not one the agent wrote is
    refused (named would not start with it, and a key replaced silently would stop every
    secondary): removing it makes a new key at the next start."""
    text = read_file(path)
    if text is None:
        secret = base64.b64encode(secrets.token_bytes(_TRANSFER_KEY_BYTES)).decode()
        write_file(path, render_transfer_key(secret), gid)
        return
    if _TRANSFER_KEY.fullmatch(text) is None:  # 43 base64 digits and "=": 32 bytes
        raise Internal(f"{path} is not a transfer key the agent wrote; remove it for a new one")
    if os.stat(path).st_gid != gid:
        os.chown(path, 0, gid)


def render_transfer_key(secret: str) -> str:
    return (
        f'key "{TRANSFER_KEY_NAME}" {{\n\talgorithm {TRANSFER_KEY_ALGORITHM};\n'
        f'\tsecret "{secret}";\n}};\n'
    )


def render_zones_conf(zones: Iterable[ZoneName], layout: Layout) -> str:
    lines = ["// Managed by JoPanel: the zones the agent serves, written whole from its records."]
    if layout.transfer_key is not None:
        lines.append(f'include "{layout.transfer_key}";')
    policy = _transfers(layout.secondaries, signed=layout.transfer_key is not None)
    served = sorted(zones)
    if layout.secondaries:  # and the catalog of them, for the secondaries (catalog.py)
        served.append(CATALOG_ZONE)
    for zone in served:
        lines.append(
            f'zone "{zone}" {{ type primary; file "{layout.zone_file(zone)}"; {policy} }};'
        )
    return "\n".join(lines) + "\n"


def _transfers(secondaries: tuple[Secondary, ...], *, signed: bool) -> str:
    """Who may copy a zone, per zone (named's own default lets anyone transfer every zone,
    which would list every tenant's records to the world): no one, or the configured
    secondaries alone, which are notified of each change (and no other host is).

    Signed, a secondary needs its address and the key both: `!{ !A; !B; any; }` refuses every
    other address first (named counts a negative match inside a nested list as no match, so
    A and B go on to the next element), and `key` lets a request signed with it through. The
    NOTIFYs to them are signed with the same key."""
    if not secondaries:
        return "allow-transfer { none; }; notify no;"
    addresses = dict.fromkeys(s.address for s in secondaries)
    key = f" key {TRANSFER_KEY_NAME}" if signed else ""
    targets = "".join(f"{s.notify_target}{key}; " for s in secondaries)
    if signed:
        others = "".join(f"!{a}; " for a in addresses)
        allowed = f"!{{ {others}any; }}; key {TRANSFER_KEY_NAME}; "
    else:
        allowed = "".join(f"{a}; " for a in addresses)
    return f"allow-transfer {{ {allowed}}}; also-notify {{ {targets}}}; notify explicit;"


def write_file(path: Path, text: str, gid: int) -> None:
    """Replaces the file atomically, 0640 root:bind (named reads it as group bind)."""
    files.write_atomic(path, text, FILE_MODE)
    os.chown(path, 0, gid, follow_symlinks=False)


def read_file(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def stage(layout: Layout, zone: ZoneName, text: str, gid: int) -> Path:
    """A new zone file beside the live one, complete and on disk, not yet in place."""
    staged = layout.zone_dir / f".{zone}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(staged, flags, FILE_MODE)
    try:
        with open(fd, "w", encoding="utf-8", closefd=False) as file:
            file.write(text)
        os.fchown(fd, 0, gid)
        os.fchmod(fd, FILE_MODE)
        os.fsync(fd)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return staged


def remove_leftovers(layout: Layout, zones: Iterable[ZoneName]) -> None:
    """Removes staged files and zone files of no zone that a crash left in the zone folder."""
    wanted = {layout.zone_file(zone).name for zone in zones}
    if layout.secondaries:
        wanted.add(layout.zone_file(CATALOG_ZONE).name)
    for path in layout.zone_dir.iterdir():
        if path.name not in wanted:
            path.unlink()


async def check_zone(
    zone: ZoneName, path: Path, lines: Mapping[int, DnsRecordId], limits: process.Limits
) -> None:
    """named-checkzone with the checks named applies when it loads a primary zone: names must
    be host names where named's check-names says so (-k fail), and the zone's integrity is
    checked within the zone only (-i local), as named does, so no lookup leaves the server."""
    argv = ["named-checkzone", "-k", "fail", "-i", "local", "--", zone, str(path)]
    completed = await process.run(argv, ok_codes=range(256), limits=limits)
    if completed.returncode != 0:
        raise ZoneRejected(zone, checker_message(completed.stdout + completed.stderr, lines))


def checker_message(output: bytes, lines: Mapping[int, DnsRecordId]) -> str:
    """The checker's errors, with file positions turned into the records they name."""
    errors, summary = [], []
    for raw in output.decode("utf-8", errors="replace").splitlines():
        line = _ZONE_PREFIX.sub("", raw.strip())
        if not line or line == "OK" or "warning:" in line or line.startswith("loaded serial"):
            continue
        position = _POSITION.match(line)
        if position:
            record = lines.get(int(position["line"]))
            where = f"record {record}" if record else f"line {position['line']}"
            errors.append(f"{where}: {position['text']}")
        elif line.startswith("loading from master file"):
            summary.append(line.rpartition(" failed: ")[2])  # repeats the reason given above
        elif not line.startswith("not loaded due to errors"):
            errors.append(line)
    text = "; ".join(errors or summary) or "no reason given"
    return process.excerpt(text, _MESSAGE_MAX)


async def check_config(layout: Layout) -> None:
    """named-checkconf of named's whole configuration, as named would read it now."""
    argv = ["named-checkconf", "--", str(layout.named_conf)]
    completed = await process.run(argv, ok_codes=range(256), limits=layout.limits)
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).decode("utf-8", errors="replace")
        detail = "; ".join(line.strip() for line in output.splitlines() if line.strip())
        detail = process.excerpt(detail, _MESSAGE_MAX)
        raise FailedPrecondition(f"named-checkconf refused the zone list: {detail}")


class Rndc:
    """named's control channel on 127.0.0.1, with its key: the only way the agent talks to it."""

    def __init__(self, layout: Layout) -> None:
        self._base = [
            "rndc", "-s", "127.0.0.1", "-p", str(layout.rndc_port), "-k", str(layout.rndc_key),
        ]  # fmt: skip
        self._limits = layout.limits

    async def status(self) -> None:
        """Raises NamedUnavailable unless named answers."""
        await self._run("status")

    async def reload(self, zone: ZoneName) -> None:
        await self._run("reload", zone)

    async def reload_all(self) -> None:
        """named reads named.conf again and reloads every zone whose file changed."""
        await self._run("reload")

    async def reconfig(self) -> None:
        """Reads named.conf again: zones added to or removed from zones.conf."""
        await self._run("reconfig")

    async def serial(self, zone: ZoneName) -> int | None:
        """The serial of the zone as named serves it, or None when it serves no such zone."""
        completed = await self._run("zonestatus", zone, missing_ok=True)
        match = _SERIAL_LINE.search(completed.stdout.decode("utf-8", errors="replace"))
        return int(match[1]) if completed.returncode == 0 and match else None

    async def _run(self, *command: str, missing_ok: bool = False) -> process.Completed:
        completed = await process.run(
            [*self._base, *command], ok_codes=range(256), limits=self._limits
        )
        if completed.returncode == 0:
            return completed
        output = (completed.stdout + completed.stderr).decode("utf-8", errors="replace").strip()
        if missing_ok and "not found" in output:
            return completed
        if "connect failed" in output or "connection refused" in output:
            raise NamedUnavailable(output.splitlines()[0])
        detail = process.excerpt("; ".join(output.splitlines()), _MESSAGE_MAX)
        raise FailedPrecondition(f"rndc {command[0]} failed: {detail}")
