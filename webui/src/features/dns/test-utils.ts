import type { DnsRecord, DnsZone } from './types';

export function makeZone(overrides: Partial<DnsZone> = {}): DnsZone {
  return {
    name: 'example.com',
    account: 'alice',
    status: 'active',
    records: 5,
    created_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}

/** The records a zone starts with, plus one of each other type. */
export const sampleRecords: DnsRecord[] = [
  { id: 'r1', type: 'A', name: '@', ttl: 0, address: '192.0.2.10' },
  { id: 'r2', type: 'A', name: 'www', ttl: 300, address: '192.0.2.10' },
  { id: 'r3', type: 'MX', name: '@', ttl: 0, preference: 10, exchange: 'mail.example.com' },
  { id: 'r4', type: 'TXT', name: '@', ttl: 3600, text: 'v=spf1 a mx ~all' },
  { id: 'r5', type: 'AAAA', name: 'v6', ttl: 86400, address: '2001:db8::10' },
  { id: 'r6', type: 'CNAME', name: 'shop', ttl: 0, target: 'shops.example.net' },
  {
    id: 'r7',
    type: 'SRV',
    name: '_sip._tcp',
    ttl: 0,
    priority: 10,
    weight: 5,
    port: 5060,
    target: 'sip.example.com',
  },
  { id: 'r8', type: 'CAA', name: '@', ttl: 0, flags: 0, tag: 'issue', value: 'letsencrypt.org' },
  { id: 'r9', type: 'NS', name: 'lab', ttl: 0, nameserver: 'ns1.example.net' },
];
