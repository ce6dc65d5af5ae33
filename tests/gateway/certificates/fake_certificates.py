"""CertificateService in memory, as tests/gateway/fake_agent.py fakes the other services:
the certificate each site serves, by domain. Tests put certificates in `served` directly, as
an install the gateway never recorded, or take them out, as a person at the server would."""

from __future__ import annotations

import grpc
from jopanel.agent.certificates.v1 import certificates_pb2 as pb
from jopanel.agent.certificates.v1 import certificates_pb2_grpc

from tests.gateway.fake_agent import Context, FakePanelCertificates, Recorder


class FakeCertificates(Recorder, certificates_pb2_grpc.CertificateServiceServicer):
    def __init__(self) -> None:
        self.served: dict[str, pb.Certificate] = {}
        # The panel's own certificate, answered by its fake (one servicer per service; the
        # fake_agent fixture hands it over).
        self.panel: FakePanelCertificates | None = None
        super().__init__()

    async def GetPanelCertificate(
        self, request: pb.GetPanelCertificateRequest, context: Context
    ) -> pb.GetPanelCertificateResponse:
        if self.panel is None:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no panel_hostname")
        assert self.panel is not None
        return await self.panel.GetPanelCertificate(request, context)

    def remove_account(self, account: str) -> None:
        self.served = {d: c for d, c in self.served.items() if c.account != account}

    async def ListCertificates(
        self, request: pb.ListCertificatesRequest, context: Context
    ) -> pb.ListCertificatesResponse:
        chosen = [c for _, c in sorted(self.served.items()) if request.account in ("", c.account)]
        return pb.ListCertificatesResponse(certificates=chosen)

    async def UpdateCertificate(
        self, request: pb.UpdateCertificateRequest, context: Context
    ) -> pb.UpdateCertificateResponse:
        domain = request.certificate.domain
        await self._enter("UpdateCertificate", domain, context)
        served = self.served.get(domain)
        if served is None or served.account != request.account:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no certificate for {domain}")
        for path in request.update_mask.paths:
            setattr(served, path, getattr(request.certificate, path))
        return pb.UpdateCertificateResponse(certificate=served)

    async def DeleteCertificate(
        self, request: pb.DeleteCertificateRequest, context: Context
    ) -> pb.DeleteCertificateResponse:
        await self._enter("DeleteCertificate", request.domain, context)
        self.served.pop(request.domain, None)
        return pb.DeleteCertificateResponse()
