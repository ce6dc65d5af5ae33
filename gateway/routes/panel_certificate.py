"""The panel's own host name's certificate: its status, and issuing (or renewing) it from the
ACME directory, administrators only (docs/certificates.md, "The panel's own host name").
No request names a host: the agent's configuration does."""

from __future__ import annotations

from aiohttp import web

from gateway.api import Access, Call, NoBody, Operation, json_response
from gateway.models.jobs import Job, job_of
from gateway.models.panel_certificate import (
    PanelCertificate,
    PanelCertificateIssue,
    panel_certificate_of,
)
from gateway.services import panel_certificate as service


async def get_panel_certificate(call: Call[NoBody]) -> web.StreamResponse:
    record, served = await service.status(call.context)
    return json_response(panel_certificate_of(record, served))


async def issue_panel_certificate(call: Call[PanelCertificateIssue]) -> web.StreamResponse:
    return json_response(job_of(await service.request_issue(call.context)), 202)


_PATH = "/api/v1/server/certificate"
operations = [
    Operation(
        "GET",
        _PATH,
        get_panel_certificate,
        "getPanelCertificate",
        "The certificate the panel's own host name is served with, and the last ACME attempt",
        "server",
        Access.ADMIN,
        response=PanelCertificate,
    ),
    Operation(
        "POST",
        _PATH,
        issue_panel_certificate,
        "issuePanelCertificate",
        "Issue or renew the panel's own certificate from the ACME directory: answers 202 with"
        " the order's job at once (the certificate served before stays whatever the outcome);"
        " 409 without a panel host name, or naming the order already queued or running",
        "server",
        Access.ADMIN,
        body=PanelCertificateIssue,
        body_optional=True,
        response=Job,
        status=202,
        errors=(400, 409),
    ),
]
