import type { DnsRecord, DnsRecordInput, DnsRecordType } from '../types';

// The add/edit record form: one draft of strings holds every type's fields, so switching the
// type back and forth keeps what was typed; only the chosen type's fields are checked and sent.
// Field names are the API's, so the gateway's errors land beside the right input.

export const RECORD_TYPES: readonly { value: DnsRecordType; label: string }[] = [
  { value: 'A', label: 'A — IPv4 address' },
  { value: 'AAAA', label: 'AAAA — IPv6 address' },
  { value: 'CNAME', label: 'CNAME — alias of another name' },
  { value: 'MX', label: 'MX — mail server' },
  { value: 'TXT', label: 'TXT — text (SPF, DKIM, verification)' },
  { value: 'SRV', label: 'SRV — service location' },
  { value: 'CAA', label: 'CAA — certificate authorities' },
  { value: 'NS', label: 'NS — delegate a subdomain' },
];

export type RecordDraft = {
  type: DnsRecordType;
  name: string;
  ttl: string;
  address: string;
  target: string;
  preference: string;
  exchange: string;
  text: string;
  priority: string;
  weight: string;
  port: string;
  flags: string;
  tag: string;
  value: string;
  nameserver: string;
};

export type RecordField = keyof RecordDraft;

/** The fields each type shows and sends, besides type, name and ttl. */
export const TYPE_FIELDS: Record<DnsRecordType, readonly RecordField[]> = {
  A: ['address'],
  AAAA: ['address'],
  CNAME: ['target'],
  MX: ['preference', 'exchange'],
  TXT: ['text'],
  SRV: ['priority', 'weight', 'port', 'target'],
  CAA: ['flags', 'tag', 'value'],
  NS: ['nameserver'],
};

export const RECORD_FIELDS: readonly RecordField[] = [
  'type',
  'name',
  'ttl',
  'address',
  'target',
  'preference',
  'exchange',
  'text',
  'priority',
  'weight',
  'port',
  'flags',
  'tag',
  'value',
  'nameserver',
];

/** TTL choices; 0 is the zone's default (3600 seconds). */
export const TTL_CHOICES: readonly { value: string; label: string }[] = [
  { value: '0', label: 'Default (1 hour)' },
  { value: '60', label: '1 minute' },
  { value: '300', label: '5 minutes' },
  { value: '900', label: '15 minutes' },
  { value: '1800', label: '30 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '14400', label: '4 hours' },
  { value: '43200', label: '12 hours' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '1 week' },
];

export function recordDraft(overrides: Partial<RecordDraft> = {}): RecordDraft {
  return {
    type: 'A',
    name: '@',
    ttl: '0',
    address: '',
    target: '',
    preference: '10',
    exchange: '',
    text: '',
    priority: '10',
    weight: '5',
    port: '',
    flags: '0',
    tag: 'issue',
    value: '',
    nameserver: '',
    ...overrides,
  };
}

/** A saved record as a draft, to edit it. */
export function draftFromRecord(record: DnsRecord): RecordDraft {
  const { id: _id, type, name, ttl, ...fields } = record;
  const strings = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
  return recordDraft({ type, name, ttl: String(ttl), ...strings });
}

// ---- checks (the gateway's rules, gateway/routes/dns_records.py) ----------------------------

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Lower case, without the final dot that zone files use: the API wants neither. */
export const normalizeHost = (value: string) => value.trim().toLowerCase().replace(/\.$/, '');

function isIpv6(value: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(value) || !value.includes(':')) return false;
  const doubles = value.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = value.split(':').filter(Boolean);
  const last = groups.at(-1) ?? '';
  const v4Tail = last.includes('.');
  if (v4Tail && !IPV4.test(last)) return false;
  const hexGroups = v4Tail ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  const size = hexGroups.length + (v4Tail ? 2 : 0);
  return doubles === 1 ? size < 8 : size === 8;
}

function recordNameError(value: string): string | undefined {
  const name = value.trim().toLowerCase();
  if (!name) return 'Enter @ for the zone itself, or a name such as www.';
  if (name === '@') return undefined;
  const labels = name.split('.');
  const rest = labels[0] === '*' ? labels.slice(1) : labels;
  if (name.length > 200 || !rest.every((l) => LABEL.test(l))) {
    return 'Use @, or labels such as www, mail or _sip._tcp (letters, digits, - and _), with * first for a wildcard.';
  }
  return undefined;
}

function hostError(value: string): string | undefined {
  const host = normalizeHost(value);
  if (!host) return 'Enter a host name.';
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return 'Enter a full host name such as mail.example.com.';
  }
  return undefined;
}

function uint16Error(value: string, what: string): string | undefined {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) > 65535) return `Enter ${what} from 0 to 65535.`;
  return undefined;
}

const CHECKS: Record<RecordField, (value: string, draft: RecordDraft) => string | undefined> = {
  type: () => undefined,
  name: recordNameError,
  ttl: () => undefined,
  address: (v, d) => {
    const a = v.trim();
    if (!a) return d.type === 'A' ? 'Enter an IPv4 address such as 192.0.2.10.' : 'Enter an IPv6 address.';
    if (d.type === 'A') return IPV4.test(a) ? undefined : 'Enter an IPv4 address such as 192.0.2.10.';
    return isIpv6(a) ? undefined : 'Enter an IPv6 address such as 2001:db8::10.';
  },
  target: (v, d) => (d.type === 'SRV' && v.trim() === '.' ? undefined : hostError(v)),
  preference: (v) => uint16Error(v, 'a preference'),
  exchange: hostError,
  text: (v) => {
    if (!v) return 'Enter the text.';
    if (/[\r\n]/.test(v)) return 'Line breaks are not allowed: put the text on one line.';
    if (v.length > 4000) return `Use at most 4,000 characters (this is ${v.length}).`;
    return undefined;
  },
  priority: (v) => uint16Error(v, 'a priority'),
  weight: (v) => uint16Error(v, 'a weight'),
  port: (v) => uint16Error(v, 'a port'),
  flags: () => undefined,
  tag: () => undefined,
  value: (v) => {
    const s = v.trim();
    if (!s || s.length > 255) return 'Enter 1 to 255 characters, such as letsencrypt.org.';
    if (/["\\]/.test(s)) return 'Quotes and backslashes are not allowed.';
    return undefined;
  },
  nameserver: hostError,
};

/** The fields a record of the draft's type is made of: name, ttl and the type's own. */
export const fieldsOf = (type: DnsRecordType): readonly RecordField[] => [
  'name',
  'ttl',
  ...TYPE_FIELDS[type],
];

export function recordErrors(draft: RecordDraft): Partial<Record<RecordField, string | undefined>> {
  return Object.fromEntries(fieldsOf(draft.type).map((f) => [f, CHECKS[f](draft[f], draft)]));
}

const int = (value: string) => Number(value.trim());

/** The record to send, from a draft that passed `recordErrors`. */
export function recordFrom(draft: RecordDraft): DnsRecordInput {
  const base = { name: draft.name.trim().toLowerCase(), ttl: int(draft.ttl) };
  switch (draft.type) {
    case 'A':
    case 'AAAA':
      return { ...base, type: draft.type, address: draft.address.trim() };
    case 'CNAME':
      return { ...base, type: 'CNAME', target: normalizeHost(draft.target) };
    case 'MX':
      return {
        ...base,
        type: 'MX',
        preference: int(draft.preference),
        exchange: normalizeHost(draft.exchange),
      };
    case 'TXT':
      return { ...base, type: 'TXT', text: draft.text };
    case 'SRV':
      return {
        ...base,
        type: 'SRV',
        priority: int(draft.priority),
        weight: int(draft.weight),
        port: int(draft.port),
        target: draft.target.trim() === '.' ? '.' : normalizeHost(draft.target),
      };
    case 'CAA':
      return {
        ...base,
        type: 'CAA',
        flags: draft.flags === '128' ? 128 : 0,
        tag: draft.tag as 'issue' | 'issuewild' | 'iodef',
        value: draft.value.trim(),
      };
    case 'NS':
      return { ...base, type: 'NS', nameserver: normalizeHost(draft.nameserver) };
  }
}
