// The API's DNS shapes (docs/api.md, "DNS zones and records"), from the generated types; only
// this feature reads them.
import type { Schemas } from '@/types/api';

export type DnsZone = Schemas['DnsZone'];
export type DnsZoneStatus = DnsZone['status'];

export type ARecord = Schemas['ARecord'];
export type AaaaRecord = Schemas['AaaaRecord'];
export type CnameRecord = Schemas['CnameRecord'];
export type MxRecord = Schemas['MxRecord'];
export type TxtRecord = Schemas['TxtRecord'];
export type SrvRecord = Schemas['SrvRecord'];
export type CaaRecord = Schemas['CaaRecord'];
export type NsRecord = Schemas['NsRecord'];

/** A record as sent (POST, and PATCH, which replaces it whole). */
export type DnsRecordInput = Schemas['RecordBody'];

export type DnsRecordType = DnsRecordInput['type'];

/** A record as the API answers it. */
export type DnsRecord = Schemas['DnsRecord'];
