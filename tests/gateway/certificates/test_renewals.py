"""The renewer renews what is due a few at a time (their installs can share the agent's nginx
reloads, which cost seconds each at a thousand HTTPS sites), never more than
`concurrent_orders` at once, and one that fails leaves the others to finish."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from gateway import keys
from gateway.acme_accounts import AcmeAccounts
from gateway.problems import Problem
from gateway.renewals import Renewer
from gateway.services import certificates as service
from gateway.store.certificates import CertificateRecord
from tests.gateway.certificates.together import Together
from tests.gateway.conftest import Api
from tests.gateway.reconcile.test_reconcile_certificates import record

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def test_due_certificates_renew_a_few_at_once_and_one_failing_fails_alone(
    api: Api, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await api.owner(admin)
    due = [f"alice{number}.com" for number in range(6)]
    later, bought = "later.com", "bought.com"
    for name in (*due, later, bought):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
    for number, name in enumerate(due):
        await record(
            api, name, next_attempt_at=(NOW - timedelta(minutes=number)).replace(tzinfo=None)
        )
    await record(api, later, next_attempt_at=(NOW + timedelta(seconds=1)).replace(tzinfo=None))
    await record(api, bought, source="upload", next_attempt_at=None)
    app = api.client.app
    config = dataclasses.replace(
        app[keys.CONFIG], acme=dataclasses.replace(app[keys.CONFIG].acme, concurrent_orders=4)
    )
    together = Together(4)

    async def renewed(
        ctx: object, config: object, certificate: CertificateRecord, *args: object, **kw: object
    ) -> CertificateRecord:
        async with together.inside(certificate.domain):
            if certificate.domain == "alice1.com":
                raise Problem(409, "Certificate not issued", "alice1.com does not resolve here")
            if certificate.domain == "alice2.com":
                raise RuntimeError("the agent went away")
            return certificate

    monkeypatch.setattr(service, "issue_for", renewed)
    renewer = Renewer(
        app[keys.DB], app[keys.AGENT], config, app[keys.SESSIONS], AcmeAccounts(b"", None)
    )

    # A failure detector: one at a time, the first renewal would wait for the others forever.
    outcomes = await asyncio.wait_for(renewer.run_once(NOW), 60)

    assert together.most == 4
    assert outcomes == {
        "alice0.com": "renewed",
        "alice1.com": "alice1.com does not resolve here",
        "alice2.com": "internal error",
        "alice3.com": "renewed",
        "alice4.com": "renewed",
        "alice5.com": "renewed",
    }
