"""The certificates part of a backup (docs/backups.md, "Certificates and keys").

Backing up: root reads each of the account's sites' live key and chain from its own files
(/etc/jopanel/ssl, CertificateFiles: O_NOFOLLOW, root's folders), never through the home, into
one JSON document (certificates.json) that restic stores in the same encrypted repository as a
snapshot of its own (`part=certificates`). No reply carries a key or a chain.

Restoring: each entry is data that someone else may have written into the repository, so it
passes the checks ImportCertificate makes before anything is written: a site of this account
now (found by the agent's own records), a key of an accepted type that matches the chain's
leaf, a chain in order that covers every name the site has now and names none another account
holds, every certificate valid now. What fails is left out and named in the result.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from agent.errors import AgentError, InvalidArgument
from agent.system.certificates import keys
from agent.system.certificates.files import INSTALL_LOCKS, CertificateFiles
from agent.system.web.domains import WebDomains
from agent.system.web.records import Https, Site
from agent.validators import certificates as certificate_validators
from agent.validators import common as common_validators
from agent.validators.accounts import AccountName

logger = logging.getLogger(__name__)

FILE: Final = "certificates.json"
VERSION: Final = 1
# One site's key and chain are a few KB; 1000 sites (the settings' limit) fit well below this.
MAX_DOCUMENT: Final = 16 * 1024 * 1024
MAX_ENTRIES: Final = 1000


@dataclass
class Outcome:
    installed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append(f"{what} ({why})")


def collect(sites: list[Site], files: CertificateFiles) -> list[dict[str, Any]]:
    """Each site's live pair, as the document's entries (sites without a certificate have
    none; a pair missing on disk is logged and left out, as nginx could not serve it either)."""
    entries = []
    for site in sites:
        if site.https is None:
            continue
        pair = files.read_pair(site.name, site.https.fingerprint)
        if pair is None:
            logger.warning("backup: the live certificate files of %s are missing", site.name)
            continue
        key, chain = pair
        entries.append(
            {
                "domain": site.name,
                "key_pem": key.decode("ascii"),
                "chain_pem": chain,
                "redirect_http": site.https.redirect_http,
                "hsts": site.https.hsts,
            }
        )
    return entries


def document(entries: list[dict[str, Any]]) -> bytes:
    # Indented: restic dump's output is read by lines (1 MiB each at most), and one line per
    # field keeps a document of many sites readable back.
    return json.dumps({"version": VERSION, "certificates": entries}, indent=1).encode()


def entries_of(raw: bytes, outcome: Outcome) -> list[object]:
    """The document's entries, at most MAX_ENTRIES (the rest are named as skipped); a document
    that does not read gives none."""
    try:
        parsed = json.loads(raw)
        items = parsed["certificates"]
        if not isinstance(items, list):
            raise TypeError("certificates is not a list")
    except (ValueError, TypeError, KeyError) as error:
        logger.info("restore: the certificates part does not read: %s", error)
        outcome.skip("the certificates part", "it does not read as the agent's document")
        return []
    if len(items) > MAX_ENTRIES:
        outcome.skip(f"{len(items) - MAX_ENTRIES} certificates", f"past {MAX_ENTRIES}")
    return list(items[:MAX_ENTRIES])


async def install(
    items: list[object],
    account: AccountName,
    sites: WebDomains,
    files: CertificateFiles,
    outcome: Outcome,
) -> None:
    """Installs each entry that passes ImportCertificate's checks, for this account only."""
    now = datetime.datetime.now(datetime.UTC)
    for index, item in enumerate(items):
        what = f"certificate {index + 1}"
        try:
            if not isinstance(item, dict):
                raise ValueError("not an object")
            domain = common_validators.hostname(str(item.get("domain")), "domain")
            what = f"certificate of {domain}"
            await _install_one(item, domain, account, sites, files, now, outcome)
        except (AgentError, ValueError, TypeError, UnicodeError) as error:
            logger.info("restore of %s: %s left out: %s", account, what, error)
            outcome.skip(what, _why(error))


async def _install_one(
    item: dict[str, Any],
    domain: common_validators.Hostname,
    account: AccountName,
    sites: WebDomains,
    files: CertificateFiles,
    now: datetime.datetime,
    outcome: Outcome,
) -> None:
    key = keys.imported_key(_text(item, "key_pem"))
    chain = certificate_validators.chain_pem(_text(item, "chain_pem"))
    redirect, hsts = item.get("redirect_http", False), item.get("hsts", False)
    if not isinstance(redirect, bool) or not isinstance(hsts, bool):
        raise ValueError("redirect_http and hsts must be true or false")
    async with INSTALL_LOCKS.hold(domain):
        site = await _own_site(sites, domain, account)
        leaf = keys.check_chain(chain, key, site.hostnames, now, _foreign_to(sites, account))
        if site.https is not None and site.https.fingerprint == leaf.fingerprint_sha256:
            # The same certificate is served: its HTTPS settings come back (redirect, HSTS).
            await sites.set_https(domain, account, Https(leaf.fingerprint_sha256, redirect, hsts))
            outcome.installed.append(domain)
            return
        if site.https is not None and _serves_as_long(files, site, leaf):
            outcome.skip(f"certificate of {domain}", "the site serves one valid as long or longer")
            return
        files.write_pair(domain, leaf.fingerprint_sha256, key, chain)
        await sites.set_https(domain, account, Https(leaf.fingerprint_sha256, redirect, hsts))
        files.keep_only(domain, leaf.fingerprint_sha256)
    outcome.installed.append(domain)


async def _own_site(
    sites: WebDomains, domain: common_validators.Hostname, account: AccountName
) -> Site:
    """The account's site named `domain` (not an alias of one); else ValueError, saying
    nothing of who holds the name."""
    try:
        site = await sites.get(domain)
    except AgentError:
        raise ValueError("no site of the account has that name now") from None
    if site.account != account or site.name != domain:
        raise ValueError("no site of the account has that name now")
    return site


def _serves_as_long(files: CertificateFiles, site: Site, leaf: keys.Leaf) -> bool:
    """Whether the site's live certificate expires no earlier than the backup's (renewed
    since the backup): a restore never swaps it for an older one."""
    assert site.https is not None
    live = files.read_pair(site.name, site.https.fingerprint)
    if live is None:
        return False
    return keys.leaf_of(live[1], live[0]).not_after >= leaf.not_after


def _foreign_to(sites: WebDomains, account: AccountName) -> Callable[[str], bool]:
    held = [host for host, holder in sites.held() if holder != account]

    def foreign(pattern: str) -> bool:
        return any(keys.covers(pattern, host) for host in held)

    return foreign


def _text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


def _why(error: Exception) -> str:
    """A short reason for the job's result; the agent's field errors say which check failed
    (never echoing the chain or key)."""
    if isinstance(error, InvalidArgument):
        text = error.description
    elif isinstance(error, AgentError):
        text = error.message
    else:
        text = str(error)
    return text.split(";")[0][:80]
