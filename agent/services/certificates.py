"""CertificateService: a site's key, CSR, HTTP-01 tokens and installed chain (docs/certificates.md).

The servicer validates every field, finds the site from the agent's own records (its names are
the certificate's names; another account's site is NOT_FOUND, as a missing one), and calls the
system layer: keys.py for the cryptography, files.py for root's files, and the websites'
worker for the server blocks.

Locks (docs/certificates.md, "Installs batch"): one per domain orders that domain's key and
pair files (CSR, install, import, update, delete), held through the nginx generation of an
install so that two installs of one domain cannot cross; installs of different domains hold
different locks, so they reach the websites' worker together and share one generation and
one reload. Challenge tokens take a lock of their own per domain, never held across a reload:
a token is served while an install of any domain waits for nginx. The panel's host name has
the same pair of locks.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from typing import Any, Final

import grpc.aio
from jopanel.agent.certificates.v1 import certificates_pb2, certificates_pb2_grpc

from agent.config import AgentConfig
from agent.errors import FailedPrecondition, NotFound
from agent.system.base.locks import KeyedLocks
from agent.system.certificates import keys
from agent.system.certificates.files import INSTALL_LOCKS, CertificateFiles, ensure_account_key
from agent.system.certificates.panel import PanelTls
from agent.system.web.domains import WebDomains, web_domains
from agent.system.web.records import Https, Site
from agent.validators import accounts as accounts_validators
from agent.validators import certificates as validators
from agent.validators import common as common_validators
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname

SERVICE_NAME: Final[str] = certificates_pb2.DESCRIPTOR.services_by_name[
    "CertificateService"
].full_name

_UPDATE_PATHS: Final = frozenset({"redirect_http", "hsts"})
_KEY_TYPES: Final = {
    **{name: code for code, name in validators.KEY_TYPES.items()},
    "rsa-3072": certificates_pb2.KEY_TYPE_RSA_3072,
    "rsa-4096": certificates_pb2.KEY_TYPE_RSA_4096,
}

Context = grpc.aio.ServicerContext[Any, Any]


class CertificateServicer(certificates_pb2_grpc.CertificateServiceServicer):
    def __init__(
        self, domains: WebDomains, files: CertificateFiles, panel: PanelTls | None = None
    ) -> None:
        self._domains = domains
        self._files = files
        self._panel_tls = panel
        self._domain_locks = INSTALL_LOCKS  # shared with a restore's certificates
        self._token_locks: KeyedLocks[Hostname] = KeyedLocks()
        self._panel_lock = asyncio.Lock()
        self._panel_token_lock = asyncio.Lock()

    async def GetCertificate(
        self, request: certificates_pb2.GetCertificateRequest, context: Context
    ) -> certificates_pb2.GetCertificateResponse:
        domain = common_validators.hostname(request.domain, "domain")
        site = await self._domains.get(domain)
        return certificates_pb2.GetCertificateResponse(certificate=self._certificate(site))

    async def ListCertificates(
        self, request: certificates_pb2.ListCertificatesRequest, context: Context
    ) -> certificates_pb2.ListCertificatesResponse:
        account = accounts_validators.account_filter(request.account)
        size = common_validators.page_size(request.page_size)
        after = common_validators.page_token(request.page_token, common_validators.HOSTNAME_PATTERN)
        sites, _ = await self._domains.page(account, after, 2**31)
        secured = [site for site in sites if site.https is not None]
        chosen = secured[:size]
        more = len(secured) > size
        token = common_validators.encode_page_token(chosen[-1].name) if more else ""
        return certificates_pb2.ListCertificatesResponse(
            certificates=[self._certificate(site) for site in chosen], next_page_token=token
        )

    async def CreateCertificateSigningRequest(
        self, request: certificates_pb2.CreateCertificateSigningRequestRequest, context: Context
    ) -> certificates_pb2.CreateCertificateSigningRequestResponse:
        domain, account = _names(request.domain, request.account)
        key_type = validators.key_type(request.key_type)
        async with self._domain_locks.hold(domain):
            site = await self._site(domain, account)
            key = self._files.read_pending_key(domain)
            if key is None or keys.key_type_of(key) != key_type:
                key = await asyncio.to_thread(keys.new_key, key_type)  # RSA takes a while
                self._files.write_pending_key(domain, key)
            names = sorted(site.hostnames)
            return certificates_pb2.CreateCertificateSigningRequestResponse(
                csr_pem=keys.csr(key, site.hostnames), names=names
            )

    async def InstallCertificate(
        self, request: certificates_pb2.InstallCertificateRequest, context: Context
    ) -> certificates_pb2.InstallCertificateResponse:
        domain, account = _names(request.domain, request.account)
        chain = validators.chain_pem(request.chain_pem)
        async with self._domain_locks.hold(domain):
            site = await self._site(domain, account)
            key = self._files.read_pending_key(domain)
            if key is None:
                if site.https is not None and self._is_live(site, chain):
                    return certificates_pb2.InstallCertificateResponse(
                        certificate=self._certificate(site)
                    )
                raise FailedPrecondition(
                    f"no key of {domain} waits for a certificate; ask for a CSR first"
                )
            now = datetime.datetime.now(datetime.UTC)
            leaf = keys.check_chain(chain, key, site.hostnames, now)
            settings = _settings(request, site)
            self._files.write_pair(domain, leaf.fingerprint_sha256, key, chain)
            https = Https(leaf.fingerprint_sha256, *settings)
            site = await self._domains.set_https(domain, account, https)
            self._files.keep_only(domain, leaf.fingerprint_sha256)
            return certificates_pb2.InstallCertificateResponse(certificate=self._certificate(site))

    async def ImportCertificate(
        self, request: certificates_pb2.ImportCertificateRequest, context: Context
    ) -> certificates_pb2.ImportCertificateResponse:
        domain, account = _names(request.domain, request.account)
        key = keys.imported_key(request.key_pem)
        chain = validators.chain_pem(request.chain_pem)
        async with self._domain_locks.hold(domain):
            site = await self._site(domain, account)
            now = datetime.datetime.now(datetime.UTC)
            leaf = keys.check_chain(chain, key, site.hostnames, now, self._foreign_to(account))
            settings = _settings(request, site)
            self._files.write_pair(domain, leaf.fingerprint_sha256, key, chain)
            https = Https(leaf.fingerprint_sha256, *settings)
            site = await self._domains.set_https(domain, account, https)
            self._files.keep_only(domain, leaf.fingerprint_sha256)
            return certificates_pb2.ImportCertificateResponse(certificate=self._certificate(site))

    def _foreign_to(self, account: AccountName) -> Callable[[str], bool]:
        """Whether a certificate name covers a name another account's website serves."""
        held = [(host, holder) for host, holder in self._domains.held() if holder != account]

        def foreign(pattern: str) -> bool:
            return any(keys.covers(pattern, host) for host, _ in held)

        return foreign

    async def UpdateCertificate(
        self, request: certificates_pb2.UpdateCertificateRequest, context: Context
    ) -> certificates_pb2.UpdateCertificateResponse:
        domain, account = _names(request.certificate.domain, request.account)
        paths = common_validators.field_mask(
            request.update_mask.paths, _UPDATE_PATHS, "update_mask"
        )
        async with self._domain_locks.hold(domain):
            site = await self._site(domain, account)
            if site.https is None:
                raise NotFound(f"{domain} has no certificate")
            wanted = request.certificate
            https = Https(
                site.https.fingerprint,
                wanted.redirect_http if "redirect_http" in paths else site.https.redirect_http,
                wanted.hsts if "hsts" in paths else site.https.hsts,
            )
            site = await self._domains.set_https(domain, account, https)
            return certificates_pb2.UpdateCertificateResponse(certificate=self._certificate(site))

    async def DeleteCertificate(
        self, request: certificates_pb2.DeleteCertificateRequest, context: Context
    ) -> certificates_pb2.DeleteCertificateResponse:
        domain, account = _names(request.domain, request.account)
        async with self._domain_locks.hold(domain):
            site = await self._site(domain, account)
            if site.https is not None:
                await self._domains.set_https(domain, account, None)
            async with self._token_locks.hold(domain):  # tokens live in a folder it removes
                self._files.remove(domain)
        return certificates_pb2.DeleteCertificateResponse()

    async def CreateChallengeToken(
        self, request: certificates_pb2.CreateChallengeTokenRequest, context: Context
    ) -> certificates_pb2.CreateChallengeTokenResponse:
        domain, account = _names(request.domain, request.account)
        token = validators.challenge_token(request.token)
        text = validators.key_authorization(request.key_authorization, token)
        async with self._token_locks.hold(domain):
            await self._site(domain, account)
            self._files.put_token(domain, token, text)
        return certificates_pb2.CreateChallengeTokenResponse()

    async def DeleteChallengeToken(
        self, request: certificates_pb2.DeleteChallengeTokenRequest, context: Context
    ) -> certificates_pb2.DeleteChallengeTokenResponse:
        domain, account = _names(request.domain, request.account)
        token = validators.challenge_token(request.token)
        async with self._token_locks.hold(domain):
            await self._site(domain, account)
            self._files.delete_token(domain, token)
        return certificates_pb2.DeleteChallengeTokenResponse()

    # The panel's own host name: the name is the agent's configuration, never the request's.

    async def GetPanelCertificate(
        self, request: certificates_pb2.GetPanelCertificateRequest, context: Context
    ) -> certificates_pb2.GetPanelCertificateResponse:
        panel = self._panel()
        async with self._panel_lock:
            return certificates_pb2.GetPanelCertificateResponse(
                certificate=_panel_certificate(panel)
            )

    async def CreatePanelCertificateSigningRequest(
        self,
        request: certificates_pb2.CreatePanelCertificateSigningRequestRequest,
        context: Context,
    ) -> certificates_pb2.CreatePanelCertificateSigningRequestResponse:
        panel = self._panel()
        key_type = validators.key_type(request.key_type)
        async with self._panel_lock:
            key = panel.files.read_pending_key(panel.host)
            if key is None or keys.key_type_of(key) != key_type:
                key = await asyncio.to_thread(keys.new_key, key_type)
                panel.files.write_pending_key(panel.host, key)
            return certificates_pb2.CreatePanelCertificateSigningRequestResponse(
                csr_pem=keys.csr(key, [panel.host]), names=[panel.host]
            )

    async def CreatePanelChallengeToken(
        self, request: certificates_pb2.CreatePanelChallengeTokenRequest, context: Context
    ) -> certificates_pb2.CreatePanelChallengeTokenResponse:
        panel = self._panel()
        token = validators.challenge_token(request.token)
        text = validators.key_authorization(request.key_authorization, token)
        async with self._panel_token_lock:
            panel.files.put_token(panel.host, token, text)
        return certificates_pb2.CreatePanelChallengeTokenResponse()

    async def DeletePanelChallengeToken(
        self, request: certificates_pb2.DeletePanelChallengeTokenRequest, context: Context
    ) -> certificates_pb2.DeletePanelChallengeTokenResponse:
        panel = self._panel()
        token = validators.challenge_token(request.token)
        async with self._panel_token_lock:
            panel.files.delete_token(panel.host, token)
        return certificates_pb2.DeletePanelChallengeTokenResponse()

    async def InstallPanelCertificate(
        self, request: certificates_pb2.InstallPanelCertificateRequest, context: Context
    ) -> certificates_pb2.InstallPanelCertificateResponse:
        panel = self._panel()
        chain = validators.chain_pem(request.chain_pem)
        async with self._panel_lock:
            key = panel.files.read_pending_key(panel.host)
            if key is None:
                served = panel.served()
                if not served.self_signed and served.chain == chain:  # a repeated install
                    return certificates_pb2.InstallPanelCertificateResponse(
                        certificate=_panel_certificate(panel)
                    )
                raise FailedPrecondition(
                    "no key of the panel's host name waits for a certificate; ask for a CSR first"
                )
            now = datetime.datetime.now(datetime.UTC)
            leaf = keys.check_chain(chain, key, {panel.host}, now)
            await panel.switch_to(leaf.fingerprint_sha256, key, chain)
            return certificates_pb2.InstallPanelCertificateResponse(
                certificate=_panel_certificate(panel)
            )

    def _panel(self) -> PanelTls:
        if self._panel_tls is None:
            raise FailedPrecondition(
                "the agent has no panel_hostname in its configuration; the panel's certificate"
                " is the installer's (scripts/install.sh --hostname)"
            )
        return self._panel_tls

    async def _site(self, domain: Hostname, account: AccountName) -> Site:
        """The account's site of that name; another account's is NOT_FOUND, as a missing one."""
        try:
            site = await self._domains.get(domain)
        except NotFound:
            site = None
        if site is None or site.account != account:
            raise NotFound(f"account {account} has no website {domain}")
        return site

    def _is_live(self, site: Site, chain: str) -> bool:
        assert site.https is not None
        pair = self._files.read_pair(site.name, site.https.fingerprint)
        return pair is not None and pair[1] == chain

    def _certificate(self, site: Site) -> certificates_pb2.Certificate:
        if site.https is None:
            raise NotFound(f"{site.name} has no certificate")
        pair = self._files.read_pair(site.name, site.https.fingerprint)
        if pair is None:
            raise FailedPrecondition(
                f"the certificate files of {site.name} are missing; issue it again"
            )
        leaf = keys.leaf_of(pair[1], pair[0])
        message = certificates_pb2.Certificate(
            domain=site.name,
            account=site.account,
            names=list(leaf.names),
            key_type=_KEY_TYPES[leaf.key_type],
            issuer=leaf.issuer,
            serial=leaf.serial,
            fingerprint_sha256=leaf.fingerprint_sha256,
            redirect_http=site.https.redirect_http,
            hsts=site.https.hsts,
            uncovered_names=sorted(
                name for name in site.hostnames if not any(keys.covers(p, name) for p in leaf.names)
            ),
        )
        message.not_before.FromDatetime(leaf.not_before)
        message.not_after.FromDatetime(leaf.not_after)
        return message


def _panel_certificate(panel: PanelTls) -> certificates_pb2.PanelCertificate:
    served = panel.served()
    leaf = keys.leaf_of(served.chain, served.key_pem)
    message = certificates_pb2.PanelCertificate(
        host_name=panel.host,
        names=list(leaf.names),
        key_type=_KEY_TYPES[leaf.key_type],
        issuer=leaf.issuer,
        serial=leaf.serial,
        fingerprint_sha256=leaf.fingerprint_sha256,
        self_signed=served.self_signed,
    )
    message.not_before.FromDatetime(leaf.not_before)
    message.not_after.FromDatetime(leaf.not_after)
    return message


def _names(domain: str, account: str) -> tuple[Hostname, AccountName]:
    return (
        common_validators.hostname(domain, "domain"),
        accounts_validators.account_name(account, "account"),
    )


def _settings(
    request: certificates_pb2.InstallCertificateRequest | certificates_pb2.ImportCertificateRequest,
    site: Site,
) -> tuple[bool, bool]:
    """(redirect_http, hsts): the request's, else the live certificate's, else both off."""
    if request.HasField("settings"):
        return request.settings.redirect_http, request.settings.hsts
    if site.https is not None:
        return site.https.redirect_http, site.https.hsts
    return False, False


def panel_tls(config: AgentConfig) -> PanelTls | None:
    if not config.panel_hostname:
        return None
    return PanelTls(
        common_validators.hostname(config.panel_hostname, "panel_hostname"),
        config.nginx_dir / "nginx.conf",
        config.nginx_pid_file,
        config.limits("web"),
    )


async def prepare(config: AgentConfig) -> None:
    """The panel's ACME account key exists before the ACME worker's unit starts: its
    LoadCredential= reads the file when the worker starts (docs/certificates.md)."""
    await asyncio.to_thread(ensure_account_key)


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = CertificateServicer(web_domains(config), CertificateFiles(), panel_tls(config))
    certificates_pb2_grpc.add_CertificateServiceServicer_to_server(servicer, server)
