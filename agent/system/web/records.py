"""Web domain records, and the registry that knows which site serves each hostname.

A record travels inside its own nginx file, as a JSON header line (see nginx.py), so the live
configuration tree is the agent's only state about websites: it switches atomically with the
configuration it describes, and it is read back when the agent starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from agent.errors import AlreadyExists, InvalidArgument
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators import web as web_validators
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.web import AppSocket, PhpSettings, PhpVersion, ProxyPort, RedirectUrl
from jopanel_rules.hostnames import first_below
from jopanel_rules.web import LOG_RETENTION_DEFAULT


@dataclass(frozen=True)
class StaticBackend:
    pass


@dataclass(frozen=True)
class PhpBackend:
    version: PhpVersion
    settings: PhpSettings = field(default_factory=PhpSettings)


@dataclass(frozen=True)
class ProxyBackend:
    port: ProxyPort


@dataclass(frozen=True)
class SocketBackend:
    """A proxy to the account's application on a Unix socket in its socket folder."""

    path: AppSocket


@dataclass(frozen=True)
class RedirectBackend:
    url: RedirectUrl
    status: int  # 301 or 302
    preserve_path: bool


Backend: TypeAlias = StaticBackend | PhpBackend | ProxyBackend | SocketBackend | RedirectBackend

# The SHA-256 of an installed certificate's leaf (DER), lowercase hex: it names the key and
# chain files (system/certificates/files.py), so a renewal is a new record and a new generation.
FINGERPRINT_PATTERN: Final = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Https:
    """The site's installed certificate and its HTTPS settings (CertificateService)."""

    fingerprint: str
    redirect_http: bool = False
    hsts: bool = False


@dataclass(frozen=True)
class Site:
    name: Hostname
    account: AccountName
    aliases: tuple[Hostname, ...]
    backend: Backend
    # Suspended on its own, by its owner or an administrator (SuspendWebDomain).
    suspended: bool = False
    # Suspended by its account's suspension (SuspendAccount), which UnsuspendAccount undoes
    # without touching `suspended`: a site suspended on its own stays so. The record lives in
    # the site's file, root's alone (nginx.FILE_MODE), so no account can change either flag.
    account_suspended: bool = False
    https: Https | None = None
    # Days of rotated logs kept (logrotate.py), as the account's plan says.
    log_retention_days: int = LOG_RETENTION_DEFAULT

    @property
    def offline(self) -> bool:
        """Served as suspended: for either reason."""
        return self.suspended or self.account_suspended

    @property
    def hostnames(self) -> tuple[Hostname, ...]:
        return (self.name, *self.aliases)

    @property
    def filename(self) -> str:
        return f"{self.name}.conf"


def to_json(site: Site) -> str:
    """One line of JSON (validated values hold no newline, so it fits a comment line)."""
    record = {
        "name": site.name,
        "account": site.account,
        "aliases": list(site.aliases),
        "backend": _backend_json(site.backend),
        "suspended": site.suspended,
        "account_suspended": site.account_suspended,
    }
    if site.log_retention_days != LOG_RETENTION_DEFAULT:  # records of the default stay as they were
        record["log_retention_days"] = site.log_retention_days
    if site.https is not None:
        record["https"] = {
            "fingerprint": site.https.fingerprint,
            "redirect_http": site.https.redirect_http,
            "hsts": site.https.hsts,
        }
    return json.dumps(record, separators=(",", ":"), sort_keys=True)


def _backend_json(backend: Backend) -> dict[str, Any]:
    match backend:
        case StaticBackend():
            return {"kind": "static"}
        case PhpBackend(version, settings):
            # Only settings someone set: a site of defaults keeps the record it always had.
            if settings == PhpSettings():
                return {"kind": "php", "version": version}
            return {"kind": "php", "version": version, "settings": _settings_json(settings)}
        case ProxyBackend(port):
            return {"kind": "proxy", "port": port}
        case SocketBackend(path):
            return {"kind": "socket", "path": path}
        case RedirectBackend(url, status, preserve_path):
            return {"kind": "redirect", "url": url, "status": status, "preserve": preserve_path}


def _settings_json(settings: PhpSettings) -> dict[str, Any]:
    return {**settings.numbers(), "display_errors": settings.display_errors}


def from_json(text: str, socket_root: str = "") -> Site:
    """A record read back from a file; every value passes its validator again (a socket path
    must lie in the account's folder under socket_root, the configured app_socket_dir).

    Raises ValueError, KeyError or TypeError when the record is malformed.
    """
    record = json.loads(text)
    try:
        name = common_validators.hostname(record["name"], "name")
        account = accounts_validators.account_name(record["account"], "account")
        return Site(
            name=name,
            account=account,
            aliases=web_validators.aliases(record["aliases"], name),
            backend=_backend_from(record["backend"], account, socket_root),
            suspended=_boolean(record["suspended"]),
            # Records written before account suspensions reached the sites have no such key.
            account_suspended=_boolean(record.get("account_suspended", False)),
            https=_https_from(record.get("https")),
            log_retention_days=web_validators.log_retention(
                _integer(record.get("log_retention_days", LOG_RETENTION_DEFAULT))
            ),
        )
    except InvalidArgument as error:
        raise ValueError(error.message) from None


def _backend_from(record: dict[str, Any], account: AccountName, socket_root: str) -> Backend:
    kind = record["kind"]
    if kind == "static":
        return StaticBackend()
    if kind == "php":
        version = record["version"]
        if not isinstance(version, str) or not web_validators.PHP_VERSION_PATTERN.fullmatch(
            version
        ):
            raise ValueError("bad PHP version")
        settings = record.get("settings", {})
        if not isinstance(settings, dict):
            raise ValueError("bad PHP settings")
        return PhpBackend(PhpVersion(version), web_validators.php_settings(settings))
    if kind == "proxy":
        return ProxyBackend(web_validators.proxy_port(_integer(record["port"]), "port"))
    if kind == "socket":
        if not socket_root:
            raise ValueError("a socket backend without the socket folder to check it against")
        path = record["path"]
        if not isinstance(path, str):
            raise ValueError("not a string")
        return SocketBackend(web_validators.app_socket(path, account, socket_root, "path"))
    if kind == "redirect":
        preserve = _boolean(record["preserve"])
        url = web_validators.redirect_url(record["url"], "url", preserve_path=preserve)
        status = _integer(record["status"])
        if status not in web_validators.REDIRECT_STATUSES.values():
            raise ValueError("bad redirect status")
        return RedirectBackend(url, status, preserve)
    raise ValueError(f"unknown backend kind {kind!r}")


def _https_from(record: dict[str, Any] | None) -> Https | None:
    """Records written before certificates existed carry no "https" key: HTTP only."""
    if record is None:
        return None
    fingerprint = record["fingerprint"]
    if not isinstance(fingerprint, str) or not FINGERPRINT_PATTERN.fullmatch(fingerprint):
        raise ValueError("bad certificate fingerprint")
    return Https(fingerprint, _boolean(record["redirect_http"]), _boolean(record["hsts"]))


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not an integer")
    return value


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _suffixes(host: str) -> Iterator[str]:
    """The names a hostname lies below: a.b.test gives b.test and test."""
    dot = host.find(".")
    while dot != -1:
        host = host[dot + 1 :]
        yield host
        dot = host.find(".")


class Registry:
    """The sites by name, and the site that serves each hostname (names and aliases).

    Beside them, how many hostnames served lie below each name, in all and per account, so
    that "does another account serve a name below X" (names.py) is two lookups instead of a
    scan of every hostname at every claim (a fifth of the agent's busy time while 16 clients
    created domains at 3,000 sites).
    Plain counts in flat dicts: a copy per batch stays one C-level dict copy each."""

    def __init__(self, sites: Iterable[Site] = ()) -> None:
        self._sites: dict[str, Site] = {}
        self._claims: dict[str, str] = {}
        self._below: dict[str, int] = {}
        self._below_of: dict[tuple[str, AccountName], int] = {}
        for site in sites:
            self.put(site)

    def copy(self) -> Registry:
        twin = Registry()
        twin._sites = dict(self._sites)
        twin._claims = dict(self._claims)
        twin._below = dict(self._below)
        twin._below_of = dict(self._below_of)
        return twin

    def held_below(self, name: str, account: AccountName) -> str | None:
        """A hostname another account's site serves below `name` (a.name, b.a.name, *.name),
        if any."""
        if self._below.get(name, 0) <= self._below_of.get((name, account), 0):
            return None
        claims = sorted(self._claims.items())
        return first_below(
            ((host, self._sites[site].account) for host, site in claims), name, account
        )

    def _count_below(self, site: Site, step: int) -> None:
        for host in site.hostnames:
            for name in _suffixes(host):
                key = (name, site.account)
                self._below[name] = self._below.get(name, 0) + step
                self._below_of[key] = self._below_of.get(key, 0) + step
                if not self._below[name]:
                    del self._below[name]
                if not self._below_of[key]:
                    del self._below_of[key]

    def get(self, name: str) -> Site | None:
        return self._sites.get(name)

    def __iter__(self) -> Iterator[Site]:
        return iter(self._sites.values())

    def __len__(self) -> int:
        return len(self._sites)

    def account_of(self, host: str) -> AccountName | None:
        """The account whose site serves the hostname (a name or alias), if any."""
        holder = self._claims.get(host)
        return None if holder is None else self._sites[holder].account

    def check_claims(self, site: Site) -> None:
        """ALREADY_EXISTS when another site serves one of the site's hostnames."""
        for host in site.hostnames:
            holder = self._claims.get(host)
            if holder is None or holder == site.name:
                continue
            other = self._sites[holder]
            whose = "domain " + other.name if other.account == site.account else "another account"
            raise AlreadyExists(f"{host} is already served by {whose}")

    def put(self, site: Site) -> None:
        """Adds or replaces the site of that name; its hostnames must be free (check_claims)."""
        self.check_claims(site)
        self.remove(site.name)
        self._sites[site.name] = site
        for host in site.hostnames:
            self._claims[host] = site.name
        self._count_below(site, 1)

    def remove(self, name: str) -> Site | None:
        site = self._sites.pop(name, None)
        if site is not None:
            for host in site.hostnames:
                del self._claims[host]
            self._count_below(site, -1)
        return site
