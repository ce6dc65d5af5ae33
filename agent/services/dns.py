"""DnsZoneService: authoritative zones of accounts, served by named (agent/system/dns/zones.py).

Each RPC validates every field, calls the system layer and builds the response; errors are
exceptions that the ErrorInterceptor maps to status codes. What depends on the zone as it stands
(a CNAME beside other data, a record id that exists) is the system layer's question.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

import grpc.aio
from jopanel.agent.dns.v1 import dns_pb2, dns_pb2_grpc

from agent import batch
from agent.config import AgentConfig
from agent.errors import InvalidArgument
from agent.system.dns import acme_challenges
from agent.system.dns.zonefile import MAX_RECORDS, Record, RecordData, Zone, record_data
from agent.system.dns.zones import DnsZones, dns_zones
from agent.system.names import NameOwners, name_owners
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators import dns as dns_validators
from agent.validators.dns import ZoneName

SERVICE_NAME: Final[str] = dns_pb2.DESCRIPTOR.services_by_name["DnsZoneService"].full_name

_UPDATE_PATHS: Final = frozenset({"name", "ttl", "data"})
# The record types by the name of their field in DnsRecord's `data` oneof.
_TYPES: Final[Mapping[str, tuple[str, Any]]] = {
    "a": ("A", dns_pb2.ARecord),
    "aaaa": ("AAAA", dns_pb2.AaaaRecord),
    "cname": ("CNAME", dns_pb2.CnameRecord),
    "mx": ("MX", dns_pb2.MxRecord),
    "txt": ("TXT", dns_pb2.TxtRecord),
    "srv": ("SRV", dns_pb2.SrvRecord),
    "caa": ("CAA", dns_pb2.CaaRecord),
    "ns": ("NS", dns_pb2.NsRecord),
}
_ONEOF_OF: Final = {kind: oneof for oneof, (kind, _) in _TYPES.items()}

Context = grpc.aio.ServicerContext[Any, Any]


class DnsZoneServicer(dns_pb2_grpc.DnsZoneServiceServicer):
    def __init__(self, zones: DnsZones, owners: NameOwners, answers: batch.Answers) -> None:
        self._zones = zones
        self._owners = owners
        self._answers = answers

    async def GetDnsZone(
        self, request: dns_pb2.GetDnsZoneRequest, context: Context
    ) -> dns_pb2.GetDnsZoneResponse:
        zone = await self._zones.get(dns_validators.dns_zone_name(request.name))
        return dns_pb2.GetDnsZoneResponse(zone=_zone(zone, with_records=True))

    async def BatchGetDnsZones(
        self, request: dns_pb2.BatchGetDnsZonesRequest, context: Context
    ) -> dns_pb2.BatchGetDnsZonesResponse:
        names = batch.names(request.names, "names", dns_validators.dns_zone_name)

        async def described(name: ZoneName) -> dns_pb2.NamedDnsZone:
            zone = await self._zones.get(name)
            return dns_pb2.NamedDnsZone(name=name, zone=_zone(zone, with_records=True))

        zones = await self._answers.each_named(
            "BatchGetDnsZones",
            names,
            described,
            lambda name, why: dns_pb2.NamedDnsZone(name=name, failure=why),
        )
        return dns_pb2.BatchGetDnsZonesResponse(zones=zones)

    async def ListDnsZones(
        self, request: dns_pb2.ListDnsZonesRequest, context: Context
    ) -> dns_pb2.ListDnsZonesResponse:
        account = accounts_validators.account_filter(request.account)
        size = common_validators.page_size(request.page_size)
        after = common_validators.page_token(request.page_token, common_validators.HOSTNAME_PATTERN)
        zones, more = await self._zones.page(account, after, size)
        token = common_validators.encode_page_token(zones[-1].name) if more else ""
        return dns_pb2.ListDnsZonesResponse(
            zones=[_zone(zone, with_records=False) for zone in zones], next_page_token=token
        )

    async def CreateDnsZone(
        self, request: dns_pb2.CreateDnsZoneRequest, context: Context
    ) -> dns_pb2.CreateDnsZoneResponse:
        name = dns_validators.dns_zone_name(request.zone.name, "zone.name")
        account = accounts_validators.account_name(request.zone.account, "zone.account")
        if len(request.zone.records) > MAX_RECORDS:
            raise InvalidArgument("zone.records", f"must hold at most {MAX_RECORDS} records")
        records = [
            _record(record, name, f"zone.records[{index}]")
            for index, record in enumerate(request.zone.records)
        ]
        if len({record.id for record in records}) != len(records):
            raise InvalidArgument("zone.records", "must not repeat a record id")
        with self._owners.claiming([name], account, "zone.name"):
            zone = await self._zones.create_zone(name, account, records)
        return dns_pb2.CreateDnsZoneResponse(zone=_zone(zone, with_records=True))

    async def DeleteDnsZone(
        self, request: dns_pb2.DeleteDnsZoneRequest, context: Context
    ) -> dns_pb2.DeleteDnsZoneResponse:
        await self._zones.delete_zone(dns_validators.dns_zone_name(request.name))
        return dns_pb2.DeleteDnsZoneResponse()

    async def CreateDnsRecord(
        self, request: dns_pb2.CreateDnsRecordRequest, context: Context
    ) -> dns_pb2.CreateDnsRecordResponse:
        zone = dns_validators.dns_zone_name(request.zone, "zone")
        record, serial = await self._zones.put_record(zone, _record(request.record, zone, "record"))
        return dns_pb2.CreateDnsRecordResponse(record=_record_message(record), serial=serial)

    async def UpdateDnsRecord(
        self, request: dns_pb2.UpdateDnsRecordRequest, context: Context
    ) -> dns_pb2.UpdateDnsRecordResponse:
        zone = dns_validators.dns_zone_name(request.zone, "zone")
        record_id = dns_validators.dns_record_id(request.record.id, "record.id")
        paths = common_validators.field_mask(
            request.update_mask.paths, _UPDATE_PATHS, "update_mask"
        )
        # Fields outside the mask are not looked at, as AIP-134 says.
        given = request.record
        name = (
            dns_validators.dns_record_name(given.name, zone, "record.name")
            if "name" in paths
            else None
        )
        ttl = dns_validators.dns_ttl(given.ttl, "record.ttl") if "ttl" in paths else None
        data = _data(given, "record") if "data" in paths else None
        record, serial = await self._zones.update_record(
            zone, record_id, record_name=name, ttl=ttl, data=data
        )
        return dns_pb2.UpdateDnsRecordResponse(record=_record_message(record), serial=serial)

    async def DeleteDnsRecord(
        self, request: dns_pb2.DeleteDnsRecordRequest, context: Context
    ) -> dns_pb2.DeleteDnsRecordResponse:
        zone = dns_validators.dns_zone_name(request.zone, "zone")
        serial = await self._zones.delete_record(zone, dns_validators.dns_record_id(request.id))
        return dns_pb2.DeleteDnsRecordResponse(serial=serial)

    async def CreateAcmeChallengeRecord(
        self, request: dns_pb2.CreateAcmeChallengeRecordRequest, context: Context
    ) -> dns_pb2.CreateAcmeChallengeRecordResponse:
        zone, record = self._challenge(request.account, request.name, request.value)
        acme_challenges.check_room(await self._zones.get(zone), record)
        _, serial = await self._zones.put_record(zone, record)
        return dns_pb2.CreateAcmeChallengeRecordResponse(zone=zone, serial=serial)

    async def DeleteAcmeChallengeRecord(
        self, request: dns_pb2.DeleteAcmeChallengeRecordRequest, context: Context
    ) -> dns_pb2.DeleteAcmeChallengeRecordResponse:
        zone, record = self._challenge(request.account, request.name, request.value)
        serial = await self._zones.delete_record(zone, record.id)
        return dns_pb2.DeleteAcmeChallengeRecordResponse(zone=zone, serial=serial)

    def _challenge(self, account: str, name: str, value: str) -> tuple[ZoneName, Record]:
        owner = accounts_validators.account_name(account, "account")
        validated = dns_validators.acme_challenge_name(name)
        text = dns_validators.acme_challenge_value(value)
        zone = acme_challenges.zone_of(validated, owner, self._zones.holder)
        return zone, acme_challenges.challenge_record(zone, validated, text)


async def prepare(config: AgentConfig) -> None:
    """named serves what the zone records hold before the first request: a crash in a batch
    can leave zones.conf or a zone file behind them (DnsZones.bring_up_to_date)."""
    await dns_zones(config).bring_up_to_date()


def add_to_server(server: grpc.aio.Server, config: AgentConfig) -> None:
    servicer = DnsZoneServicer(
        dns_zones(config), name_owners(config), batch.Answers(config.max_message_bytes)
    )
    dns_pb2_grpc.add_DnsZoneServiceServicer_to_server(servicer, server)


def _record(message: dns_pb2.DnsRecord, zone: ZoneName, field: str) -> Record:
    name = dns_validators.dns_record_name(message.name, zone, f"{field}.name")
    data = _data(message, field)
    dns_validators.dns_record_placement(name, data.TYPE, f"{field}.name")
    return Record(
        id=dns_validators.dns_record_id(message.id, f"{field}.id"),
        name=name,
        ttl=dns_validators.dns_ttl(message.ttl, f"{field}.ttl"),
        data=data,
    )


def _data(message: dns_pb2.DnsRecord, field: str) -> RecordData:
    oneof = message.WhichOneof("data")
    if oneof is None:
        raise InvalidArgument(field, f"must set one of {', '.join(_TYPES)}")
    kind, _ = _TYPES[oneof]
    fields = getattr(message, oneof)
    values = {item.name: getattr(fields, item.name) for item in fields.DESCRIPTOR.fields}
    return record_data(kind, values, f"{field}.{oneof}")


def _record_message(record: Record) -> dns_pb2.DnsRecord:
    message = dns_pb2.DnsRecord(id=record.id, name=record.name, ttl=record.ttl)
    oneof = _ONEOF_OF[record.data.TYPE]
    _, kind = _TYPES[oneof]
    getattr(message, oneof).CopyFrom(kind(**dataclasses.asdict(record.data)))
    return message


def _zone(zone: Zone, *, with_records: bool) -> dns_pb2.DnsZone:
    message = dns_pb2.DnsZone(name=zone.name, account=zone.account, serial=zone.serial)
    if with_records:
        message.records.extend(_record_message(zone.records[key]) for key in sorted(zone.records))
    return message


# The wire form of a zone, shared with BackupService.GetBackupSettings.
zone_message = _zone
