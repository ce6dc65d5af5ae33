import { Badge } from '@/components/ui';
import type { DnsZoneStatus } from '../types';

const LOOK = {
  pending: { tone: 'warning', label: 'Pending' },
  active: { tone: 'success', label: 'Active' },
  deleting: { tone: 'neutral', label: 'Deleting' },
} as const;

export function ZoneStatusBadge({ status }: { status: DnsZoneStatus }) {
  const look = LOOK[status] ?? { tone: 'neutral', label: status };
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
