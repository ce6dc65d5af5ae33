"""DNS: the zones named serves, and their records, against the zone and record records."""

from __future__ import annotations

from collections.abc import Iterable

from jopanel.agent.dns.v1 import dns_pb2 as dns_pb

from gateway.agent import CALL_TIMEOUT_SECONDS, every_page
from gateway.reconcile.base import PAGE_SIZE, RunBase, later
from gateway.record_types import record_from, to_proto
from gateway.store import dns
from gateway.store import reconcile as records
from gateway.store.reconcile import RecordedDnsRecord, RecordedZone


class DnsChecks(RunBase):
    async def dns_zones(self) -> None:
        system = {z.name: z.account for z in await self._system_zones()}
        zones = await records.dns_zones(self.pool)
        recorded = {z.name for z in zones}
        self.checked["dns_zone"] = len(zones) + len(set(system) - recorded)
        checked = [z for z in zones if z.account in self.on_system or z.status == "deleting"]
        # What named serves of the zones served for their account (a thousand per call), and
        # every recorded record (one query), before any zone is compared.
        accounts = {z.name: z.account for z in checked}
        served = await self.read_batches(
            "dns_zone",
            [z.name for z in checked if z.status != "deleting" and system.get(z.name) == z.account],
            self._served_zones,
            lambda named: named.name,
            accounts.get,
        )
        recorded_records = await records.dns_records(self.pool)
        for zone in checked:
            await self._zone(
                zone,
                system.get(zone.name),
                served.get(zone.name),
                recorded_records.get(zone.id, []),
            )
        for name in sorted(set(system) - recorded):
            self.drift("dns_zone", name, system[name], "served, but has no record")

    async def _system_zones(self) -> list[dns_pb.DnsZone]:
        return await every_page(
            lambda token: self.agent.dns.ListDnsZones(
                dns_pb.ListDnsZonesRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=CALL_TIMEOUT_SECONDS,
            ),
            lambda reply: reply.zones,
        )

    async def _served_zones(self, names: list[str]) -> list[dns_pb.NamedDnsZone]:
        reply = await self.agent.dns.BatchGetDnsZones(
            dns_pb.BatchGetDnsZonesRequest(names=names), timeout=CALL_TIMEOUT_SECONDS
        )
        return list(reply.zones)

    async def _zone(
        self,
        zone: RecordedZone,
        owner: str | None,
        served: dns_pb.NamedDnsZone | None,
        recorded: list[RecordedDnsRecord],
    ) -> None:
        """One zone against its record. `served`: what the agent answered about it, None
        where it was not asked (not served for its account) or did not describe it (a
        failed finding already)."""
        name, account, status = zone.name, zone.account, zone.status
        zone_id, seen = zone.id, ("dns_zone", zone.id, status)
        if owner is not None and owner != account:
            self.drift("dns_zone", name, account, f"served for another account, {owner}")
            return
        if status == "deleting":

            async def finish() -> None:
                await self.agent.dns.DeleteDnsZone(
                    dns_pb.DeleteDnsZoneRequest(name=name), timeout=CALL_TIMEOUT_SECONDS
                )
                await dns.delete_zone(self.pool, zone_id)

            await self.repair("dns_zone", name, account, "deleting: the deletion was cut short",
                              "deletion finished, as asked", finish, seen)  # fmt: skip
            return
        if status == "pending":
            if owner is None:
                # Its records are written once the zone is served: it comes back as recorded.
                spec = dns_pb.DnsZone(
                    name=name, account=account, records=[zone_record(r) for r in recorded]
                )
                await self.create_again(
                    "dns_zone", (zone_id, name, account), "pending, and the zone is not served",
                    later(self.agent.dns.CreateDnsZone, dns_pb.CreateDnsZoneRequest(zone=spec)),
                    lambda: dns.set_zone_status(self.pool, zone_id, "active"),
                    lambda: dns.delete_zone(self.pool, zone_id),
                )  # fmt: skip
                return
            # Served: the creation got through; its records follow the recorded ones below.
            if not await self.repair(
                "dns_zone", name, account, "pending, and the zone is served",
                "marked active: the creation had got through",
                lambda: dns.set_zone_status(self.pool, zone_id, "active"), seen,
            ):  # fmt: skip
                return
            seen = ("dns_zone", zone_id, "active")
        wanted = {r.public_id: zone_record(r) for r in recorded}
        self.checked["dns_record"] += len(wanted)
        if owner is None:
            spec = dns_pb.DnsZone(name=name, account=account, records=list(wanted.values()))
            await self.repair(
                "dns_zone", name, account, "the zone is not served",
                f"served again with its {len(wanted)} recorded records",
                lambda: self.agent.dns.CreateDnsZone(
                    dns_pb.CreateDnsZoneRequest(zone=spec), timeout=CALL_TIMEOUT_SECONDS
                ),
                seen,
            )  # fmt: skip
            return
        if served is None:
            return
        await self._zone_records(name, account, seen, wanted, served.zone.records)

    async def _zone_records(
        self,
        zone: str,
        account: str,
        seen: tuple[str, int, str],
        wanted: dict[str, dns_pb.DnsRecord],
        served: Iterable[dns_pb.DnsRecord],
    ) -> None:
        """A zone's records follow the recorded ones: the records are the panel's, and the
        agent's copy is what the panel asked for (a record no request answered for goes)."""
        have = {r.id: r for r in served if not is_acme_challenge(r)}
        self.checked["dns_record"] += len(set(have) - set(wanted))
        for record_id, record in sorted(wanted.items()):
            if have.get(record_id) == record:
                continue
            what = "missing" if record_id not in have else "differs from the record"
            await self.repair(
                "dns_record", f"{zone}/{record_id}", account, f"the record is {what}",
                "the recorded record served again",
                later(
                    self.agent.dns.CreateDnsRecord,
                    dns_pb.CreateDnsRecordRequest(zone=zone, record=record),
                ),
                seen,
            )  # fmt: skip
        for record_id in sorted(set(have) - set(wanted)):
            await self.repair(
                "dns_record", f"{zone}/{record_id}", account,
                "served, but has no record (a change cut short before it was recorded)",
                "removed from the zone",
                later(
                    self.agent.dns.DeleteDnsRecord,
                    dns_pb.DeleteDnsRecordRequest(zone=zone, id=record_id),
                ),
                seen,
            )  # fmt: skip


def is_acme_challenge(record: dns_pb.DnsRecord) -> bool:
    """A DNS-01 challenge the agent put for an ACME order (CreateAcmeChallengeRecord): not a
    record of the panel's, and gone when the order ends. Its id ("acme" + hex) is none the
    gateway gives (hex only)."""
    return (
        record.id.startswith("acme")
        and record.WhichOneof("data") == "txt"
        and record.name.split(".")[0] == "_acme-challenge"
    )


def zone_record(recorded: RecordedDnsRecord) -> dns_pb.DnsRecord:
    """A recorded DNS record as the agent takes it."""
    record = record_from(recorded.type, recorded.name, recorded.ttl, recorded.values)
    return to_proto(recorded.public_id, record)
