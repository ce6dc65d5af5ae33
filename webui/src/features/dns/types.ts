// Shapes of docs/api.md's "DNS zones and records" section; only this feature reads them.

export type DnsZoneStatus = 'pending' | 'active' | 'deleting';

export type DnsZone = {
  /** A domain or alias of the account (IDNA, lowercase). */
  name: string;
  account: string;
  status: DnsZoneStatus;
  /** How many records it holds (SOA and NS from the server not counted). */
  records: number;
  created_at: string;
};

type RecordBase = {
  /** "@" for the zone itself, or labels relative to it: "www", "_sip._tcp", "*.dev". */
  name: string;
  /** Seconds, 60 to 604800; 0 for the zone's default. */
  ttl: number;
};

export type ARecord = RecordBase & { type: 'A'; address: string };
export type AaaaRecord = RecordBase & { type: 'AAAA'; address: string };
export type CnameRecord = RecordBase & { type: 'CNAME'; target: string };
export type MxRecord = RecordBase & { type: 'MX'; preference: number; exchange: string };
export type TxtRecord = RecordBase & { type: 'TXT'; text: string };
export type SrvRecord = RecordBase & {
  type: 'SRV';
  priority: number;
  weight: number;
  port: number;
  target: string;
};
export type CaaRecord = RecordBase & {
  type: 'CAA';
  flags: 0 | 128;
  tag: 'issue' | 'issuewild' | 'iodef';
  value: string;
};
export type NsRecord = RecordBase & { type: 'NS'; nameserver: string };

/** A record as sent (POST, and PATCH, which replaces it whole). */
export type DnsRecordInput =
  ARecord | AaaaRecord | CnameRecord | MxRecord | TxtRecord | SrvRecord | CaaRecord | NsRecord;

export type DnsRecordType = DnsRecordInput['type'];

/** A record as the API answers it. */
export type DnsRecord = DnsRecordInput & { id: string };
