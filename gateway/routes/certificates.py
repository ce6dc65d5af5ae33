"""A website's certificate: its status, and issuing (or renewing) it from the ACME directory.

The owner of the website (or an administrator) asks; the ACME worker (user jopanel-acme) speaks
ACME and the agent keeps the key (docs/certificates.md).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, Owned, json_response
from gateway.models.certificates import (
    Certificate,
    CertificateIssue,
    CertificateSettings,
    CertificateUpload,
    certificate_of,
)
from gateway.models.jobs import Job, job_of
from gateway.services import certificates as service
from gateway.store.certificates import CertificateRecord
from gateway.validation import to_host_name


async def find_certificate(call: Call) -> Owned | None:
    try:
        name = to_host_name(call.param("name"))
    except ValueError:
        return None
    record = await service.of_domain(call.context, name)
    return Owned(record.account, record) if record else None


def _record(call: Call[Any, Any]) -> CertificateRecord:
    return call.found(CertificateRecord, f"Domain '{call.param('name')}'")


async def _shown(call: Call[Any, Any], record: CertificateRecord) -> web.StreamResponse:
    """The record with its order under way, if any: a client follows it after a reload."""
    return json_response(certificate_of(record, await service.order_of(call.context, record)))


async def get_certificate(call: Call[NoBody]) -> web.StreamResponse:
    return await _shown(call, _record(call))


async def issue_certificate(call: Call[CertificateIssue]) -> web.StreamResponse:
    body = call.body
    job = await service.request_issue(
        call.context,
        _record(call),
        key_type=body.key_type,
        redirect_http=body.redirect_http,
        hsts=body.hsts,
    )
    return json_response(job_of(job), 202)


async def upload_certificate(call: Call[CertificateUpload]) -> web.StreamResponse:
    body = call.body
    record = await service.upload(
        call.context,
        _record(call),
        key_der=body.key,
        chain_der=body.chain,
        redirect_http=body.redirect_http,
        hsts=body.hsts,
    )
    return await _shown(call, record)


async def change_settings(call: Call[CertificateSettings]) -> web.StreamResponse:
    body = call.body
    record = await service.change_settings(
        call.context, _record(call), redirect_http=body.redirect_http, hsts=body.hsts
    )
    return await _shown(call, record)


async def delete_certificate(call: Call[NoBody]) -> web.StreamResponse:
    await service.remove(call.context, _record(call))
    return web.Response(status=204)


_ONE = "/api/v1/domains/{name}/certificate"
operations = [
    Operation(
        "GET",
        _ONE,
        get_certificate,
        "getCertificate",
        "A website's certificate: what it covers, until when, and the last attempt",
        "certificates",
        Access.SIGNED_IN,
        owner=find_certificate,
        response=Certificate,
        errors=(404,),
    ),
    Operation(
        "POST",
        _ONE,
        issue_certificate,
        "issueCertificate",
        "Issue or renew the website's certificate for its name and aliases: answers 202 with"
        " the order's job at once (GET /api/v1/jobs/{id} and its events follow its stages;"
        " the certificate keeps the outcome). 409 names the order already queued or running"
        " (`job_id`): one at a time per website",
        "certificates",
        Access.SIGNED_IN,
        owner=find_certificate,
        body=CertificateIssue,
        body_optional=True,
        response=Job,
        status=202,
        errors=(404, 409),
    ),
    Operation(
        "POST",
        _ONE + "/upload",
        upload_certificate,
        "uploadCertificate",
        "Install a certificate bought elsewhere with its key (checked: the key matches, the"
        " chain is in order and valid, it covers the site and no other account's name)",
        "certificates",
        Access.SIGNED_IN,
        owner=find_certificate,
        body=CertificateUpload,
        response=Certificate,
        errors=(400, 404),
    ),
    Operation(
        "PATCH",
        _ONE,
        change_settings,
        "updateCertificate",
        "Turn the redirect to HTTPS or HSTS on or off (404 before a certificate is installed)",
        "certificates",
        Access.SIGNED_IN,
        owner=find_certificate,
        body=CertificateSettings,
        response=Certificate,
        errors=(404,),
    ),
    Operation(
        "DELETE",
        _ONE,
        delete_certificate,
        "deleteCertificate",
        "Turn HTTPS off: the key, certificate and renewals go",
        "certificates",
        Access.SIGNED_IN,
        owner=find_certificate,
        status=204,
        errors=(404,),
    ),
]
