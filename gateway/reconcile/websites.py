"""Websites: the sites nginx serves against the domain records."""

from __future__ import annotations

from jopanel.agent.web.v1 import web_pb2 as web_pb

from gateway import backends
from gateway.agent import CALL_TIMEOUT_SECONDS, every_page
from gateway.reconcile.base import PAGE_SIZE, RunBase
from gateway.store import domains
from gateway.store import reconcile as records
from gateway.store.reconcile import RecordedDomain


class WebsiteChecks(RunBase):
    async def domains(self) -> None:
        system = {d.name: d for d in await self._system_domains()}
        sites = await records.domains(self.pool)
        recorded = {s.name for s in sites}
        self.checked["domain"] = len(sites) + len(set(system) - recorded)
        for site in sites:
            await self._domain(site, system.get(site.name))
        for name in sorted(set(system) - recorded):
            self.drift("domain", name, system[name].account, "served, but has no record")

    async def _system_domains(self) -> list[web_pb.WebDomain]:
        return await every_page(
            lambda token: self.agent.web.ListWebDomains(
                web_pb.ListWebDomainsRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            ),
            lambda reply: reply.domains,
        )

    async def _domain(self, site: RecordedDomain, system: web_pb.WebDomain | None) -> None:
        name, account, status, site_id = site.name, site.account, site.status, site.id
        seen = ("domain", site_id, status)
        if status == "pending":
            if system is not None and system.account == account:
                await self.repair(
                    "domain", name, account, "pending, and the site is served",
                    "marked active: the creation had got through",
                    lambda: domains.set_status(self.pool, site_id, "active"), seen,
                )  # fmt: skip
            elif system is None:
                await self.create_again(
                    "domain", (site_id, name, account), "pending, and the site is not served",
                    lambda: self._create_domain(site),
                    lambda: domains.set_status(self.pool, site_id, "active"),
                    lambda: domains.delete(self.pool, site_id),
                )  # fmt: skip
            else:
                self.drift("domain", name, account, f"pending; served for {system.account}")
            return
        if status == "deleting":
            await self.repair(
                "domain", name, account, "deleting: the deletion was cut short",
                f"deletion finished; its files stay in /home/{account}/web/{name}",
                lambda: self._finish_domain_deletion(site), seen,
            )  # fmt: skip
            return
        if site.account_status not in ("active", "suspended"):
            return  # its account's own state is settled first, with its sites
        if system is None:
            await self.repair(
                "domain", name, account, "the site is not served (its configuration is gone)",
                "created again from the record (files already in its folder are kept)",
                lambda: self._create_domain(site), seen,
            )  # fmt: skip
            return
        if system.account != account:
            self.drift("domain", name, account, f"served for another account, {system.account}")
            return
        await self._domain_fields(site, system)

    async def _finish_domain_deletion(self, site: RecordedDomain) -> None:
        await self.agent.web.DeleteWebDomain(
            web_pb.DeleteWebDomainRequest(name=site.name, delete_files=False),
            timeout=CALL_TIMEOUT_SECONDS,
        )
        await domains.delete(self.pool, site.id)

    async def _create_domain(self, site: RecordedDomain) -> None:
        await self.agent.web.CreateWebDomain(
            web_pb.CreateWebDomainRequest(domain=site_spec(site)), timeout=CALL_TIMEOUT_SECONDS
        )
        if _site_suspended(site):
            await self.agent.web.SuspendWebDomain(
                web_pb.SuspendWebDomainRequest(name=site.name), timeout=CALL_TIMEOUT_SECONDS
            )

    async def _domain_fields(self, site: RecordedDomain, system: web_pb.WebDomain) -> None:
        name, account = site.name, site.account
        seen = ("domain", site.id, site.status)
        spec = site_spec(site)
        differ = []
        if sorted(system.aliases) != sorted(spec.aliases):
            differ.append("aliases")
        kind = spec.WhichOneof("backend")
        if system.WhichOneof("backend") != kind or (
            kind is not None and getattr(system, kind) != getattr(spec, kind)
        ):
            differ.append("backend")
        if system.log_retention_days != spec.log_retention_days:
            differ.append("log retention")
        if differ:
            request = web_pb.UpdateWebDomainRequest(domain=spec)
            request.update_mask.paths.extend(["aliases", "backend", "log_retention_days"])
            await self.repair(
                "domain", name, account, f"{' and '.join(differ)} differ from the record",
                "the recorded aliases, backend and log retention applied again",
                lambda: self.agent.web.UpdateWebDomain(request, timeout=CALL_TIMEOUT_SECONDS),
                seen,
            )  # fmt: skip
        suspended = _site_suspended(site)
        if system.suspended != suspended:

            async def apply() -> None:
                if suspended:
                    await self.agent.web.SuspendWebDomain(
                        web_pb.SuspendWebDomainRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                    )
                else:
                    await self.agent.web.UnsuspendWebDomain(
                        web_pb.UnsuspendWebDomainRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                    )

            await self.repair(
                "domain", name, account,
                f"{'not ' if suspended else ''}suspended on the system, unlike the record",
                "the recorded state applied again", apply, seen,
            )  # fmt: skip


def _site_suspended(site: RecordedDomain) -> bool:
    # An account's suspension suspends its sites; a site may also be suspended on its own.
    return site.status == "suspended" or site.account_status == "suspended"


def site_spec(site: RecordedDomain) -> web_pb.WebDomain:
    """The website as its record describes it, as CreateWebDomain takes it."""
    return backends.site_spec(
        site.name, site.account, site.aliases, site.site_backend, site.log_retention_days
    )
