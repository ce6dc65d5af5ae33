"""The panel's certificate authority: which ACME directory, and the account's contact.

Administrators only; stored once (certificate_settings) and read by the ACME worker at each
order (docs/certificates.md, Settings).
"""

from __future__ import annotations

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, json_response
from gateway.models.certificate_settings import CertificateAuthority, certificate_authority_of
from gateway.services import certificates as service


async def get_settings(call: Call[NoBody]) -> web.StreamResponse:
    chosen = await service.acme_settings(call.context, call.config)
    return json_response(certificate_authority_of(chosen))


async def set_settings(call: Call[CertificateAuthority]) -> web.StreamResponse:
    body = call.body
    chosen = await service.change_acme_settings(call.context, body.directory_url, body.email)
    return json_response(certificate_authority_of(chosen))


_SETTINGS = "/api/v1/certificate-settings"
operations = [
    Operation(
        "GET",
        _SETTINGS,
        get_settings,
        "getCertificateSettings",
        "The ACME directory certificates are ordered from, and the account's contact",
        "certificates",
        Access.ADMIN,
        response=CertificateAuthority,
    ),
    Operation(
        "PUT",
        _SETTINGS,
        set_settings,
        "setCertificateSettings",
        "Choose the ACME directory (https only) and the account's contact; orders from now on"
        " use them, certificates already installed are kept",
        "certificates",
        Access.ADMIN,
        body=CertificateAuthority,
        response=CertificateAuthority,
        errors=(400,),
    ),
]
