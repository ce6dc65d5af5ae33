import { formatInteger } from '@/lib/format';
import type { DnsRecord } from '../types';

/** A record's data as people read it, per type. */
export function RecordValue({ record }: { record: DnsRecord }) {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return <code className="cell-code">{record.address}</code>;
    case 'CNAME':
      return <code className="cell-code">{record.target}</code>;
    case 'NS':
      return <code className="cell-code">{record.nameserver}</code>;
    case 'MX':
      return (
        <span className="cell-stack">
          <code className="cell-code">{record.exchange}</code>{' '}
          <span className="cell-sub">Preference {record.preference}</span>
        </span>
      );
    case 'TXT':
      return <code className="cell-code">{record.text}</code>;
    case 'SRV':
      return (
        <span className="cell-stack">
          <code className="cell-code">
            {record.target}:{record.port}
          </code>{' '}
          <span className="cell-sub">
            Priority {record.priority}, weight {record.weight}
          </span>
        </span>
      );
    case 'CAA':
      return (
        <span className="cell-stack">
          <code className="cell-code">
            {record.tag} “{record.value}”
          </code>{' '}
          {record.flags === 128 ? <span className="cell-sub">Critical</span> : null}
        </span>
      );
  }
}

const UNITS = [
  [604800, 'week', 'weeks'],
  [86400, 'day', 'days'],
  [3600, 'hour', 'hours'],
  [60, 'minute', 'minutes'],
] as const;

/** "default" for 0 (the zone's default), "5 minutes", "1 day", else seconds. */
export function formatTtl(ttl: number): string {
  if (ttl === 0) return 'default';
  for (const [size, one, many] of UNITS) {
    if (ttl % size === 0) return `${formatInteger(ttl / size)} ${ttl === size ? one : many}`;
  }
  return `${formatInteger(ttl)} seconds`;
}

/** The record's name as a full host name: "@" is the zone itself. */
export function fullRecordName(name: string, zone: string): string {
  return name === '@' ? zone : `${name}.${zone}`;
}
