"""Certificates: what the agent serves (ListCertificates) against the `certificates` records.

The agent installs only a chain it has checked (the site's key, exactly the site's names,
within its validity), so what it serves is trusted as the truth about what is installed; the
record is the truth about what the owner asked for (redirect, HSTS).

- served, with the recorded fingerprint, other settings: the recorded settings applied again;
- served, but the record knows another or none (an install whose recording was cut short):
  adopted, renewed from it as an issued one (an upload replacing an upload stays unrenewed);
- recorded as installed, not served: recorded as gone, the reason shown, renewals stopped;
- `issuing` for longer than an attempt takes: failed as interrupted (the installed one kept);
- served for another account, or for a site without a settled record: drift.

Why a certificate that went is not issued again here: the same leftover is what a
DELETE .../certificate cut short between the agent and the record leaves, where the owner
asked for HTTPS off; issuing would undo that. The owner sees why and asks again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jopanel.agent.certificates.v1 import certificates_pb2 as pb

from gateway import renewal_policy
from gateway.agent import CALL_TIMEOUT_SECONDS, every_page
from gateway.reconcile.base import PAGE_SIZE, RunBase, later
from gateway.reconcile.report import Finding
from gateway.store import certificates as store
from gateway.store.certificates import CertificateRecord, KeyType

# Longer than any order takes (the ACME calls and the agent's each have their own timeouts):
# an older `issuing` record was left by a gateway that stopped mid-attempt.
STALE_ISSUING = timedelta(minutes=15)
GONE = (
    "The certificate is no longer on the server: it was removed outside the panel, or HTTPS "
    "was being turned off when the panel stopped. Issue or upload one again to serve HTTPS."
)
INTERRUPTED = "The attempt was interrupted when the panel stopped; try again."
_KEY_NAMES: dict[int, KeyType] = {
    pb.KEY_TYPE_ECDSA_P256: "ecdsa-p256",
    pb.KEY_TYPE_RSA_2048: "rsa-2048",
    pb.KEY_TYPE_RSA_3072: "rsa-3072",
    pb.KEY_TYPE_RSA_4096: "rsa-4096",
}


class CertificateChecks(RunBase):
    async def certificates(self) -> None:
        served = {c.domain: c for c in await self._served()}
        recorded = await store.of_settled_domains(self.pool)
        self.checked["certificate"] = len(recorded)
        known = {r.domain for r in recorded}
        for record in recorded:
            await self._certificate(record, served.get(record.domain))
        for domain in sorted(set(served) - known):
            # A site without a settled record: the domain check reports the site itself.
            self.checked["certificate"] += 1
            self.drift("certificate", domain, served[domain].account, "served, but has no record")

    async def _served(self) -> list[pb.Certificate]:
        return await every_page(
            lambda token: self.agent.certificates.ListCertificates(
                pb.ListCertificatesRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            ),
            lambda reply: reply.certificates,
        )

    async def _certificate(self, record: CertificateRecord, served: pb.Certificate | None) -> None:
        if served is not None and served.account != record.account:
            what = f"served for another account, {served.account}"
            self.drift("certificate", record.domain, record.account, what)
            return
        if record.status == "issuing":
            await self._issuing(record)
            return
        if served is None:
            if record.fingerprint is not None:
                await self._gone(record)
            return
        if served.fingerprint_sha256 != record.fingerprint:
            await self._adopt(record, served)
            return
        await self._settings(record, served)

    async def _issuing(self, record: CertificateRecord) -> None:
        """An attempt under way is left alone (a renewal runs outside the write barrier)."""
        started = record.last_attempt_at
        if started is not None and _utc(started) > datetime.now(UTC) - STALE_ISSUING:
            self._in_progress(record, "issuing: an attempt is under way")
            return
        if not await self._unchanged(record, "issuing, for longer than an attempt takes"):
            return
        await self.repair(
            "certificate", record.domain, record.account,
            "issuing, for longer than an attempt takes: it was cut short",
            "recorded as failed (interrupted); the installed certificate, if any, is kept",
            lambda: store.interrupted(self.pool, record.domain_id, INTERRUPTED),
        )  # fmt: skip

    async def _gone(self, record: CertificateRecord) -> None:
        what = "recorded as installed, but the agent serves none"
        if not await self._unchanged(record, what):
            return
        await self.repair(
            "certificate", record.domain, record.account, what,
            "recorded as gone, with the reason for the owner; renewals stopped",
            lambda: store.gone(self.pool, record.domain_id, GONE),
        )  # fmt: skip

    async def _adopt(self, record: CertificateRecord, served: pb.Certificate) -> None:
        what = (
            "the agent serves a certificate the record does not know (its install was not recorded)"
        )
        if not await self._unchanged(record, what):
            return
        not_before = served.not_before.ToDatetime(UTC)
        not_after = served.not_after.ToDatetime(UTC)
        # A bought certificate replaced by another upload stays unrenewed; any other chain the
        # agent installed came from an ACME order, renewed as one.
        upload = record.source == "upload" and record.fingerprint is not None
        renew = None if upload else renewal_policy.renew_at(not_before, not_after)

        async def adopt() -> None:
            await store.adopt(
                self.pool, record.domain_id, names=list(served.names), issuer=served.issuer,
                not_before=not_before, not_after=not_after,
                fingerprint=served.fingerprint_sha256,
                key_type=_KEY_NAMES.get(served.key_type, "ecdsa-p256"),
                redirect_http=served.redirect_http, hsts=served.hsts, renew_at=renew,
            )  # fmt: skip

        done = await self.repair(
            "certificate", record.domain, record.account, what,
            f"adopted: the record takes the served certificate ({served.fingerprint_sha256[:16]}…)",
            adopt,
        )  # fmt: skip
        if done and record.status != "none":  # an existing record kept its settings
            await self._settings(record, served)

    async def _settings(self, record: CertificateRecord, served: pb.Certificate) -> None:
        if (served.redirect_http, served.hsts) == (record.redirect_http, record.hsts):
            return
        wanted = f"redirect_http={record.redirect_http} hsts={record.hsts}"
        request = pb.UpdateCertificateRequest(
            certificate=pb.Certificate(
                domain=record.domain, redirect_http=record.redirect_http, hsts=record.hsts
            ),
            account=record.account,
        )
        request.update_mask.paths.extend(["redirect_http", "hsts"])
        await self.repair(
            "certificate", record.domain, record.account,
            f"served with redirect_http={served.redirect_http} hsts={served.hsts};"
            f" recorded {wanted}",
            "the recorded settings applied again",
            later(self.agent.certificates.UpdateCertificate, request),
        )  # fmt: skip

    def _in_progress(self, record: CertificateRecord, what: str) -> None:
        self.findings.append(Finding(
            resource="certificate", name=record.domain, account=record.account,
            difference=what, outcome="in_progress", action="left alone",
        ))  # fmt: skip

    async def _unchanged(self, seen: CertificateRecord, what: str) -> bool:
        """True while the record is as the run saw it; else reported as changed meanwhile."""
        now = await store.of_domain(self.pool, seen.domain)
        if now is not None and (now.status, now.fingerprint) == (seen.status, seen.fingerprint):
            return True
        self.findings.append(Finding(
            resource="certificate", name=seen.domain, account=seen.account, difference=what,
            outcome="in_progress", action="left alone: the record changed meanwhile",
        ))  # fmt: skip
        return False


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
