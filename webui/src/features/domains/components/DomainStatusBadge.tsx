import { Badge, type BadgeTone } from '@/components/ui';
import type { DomainStatus } from '../types';

const LOOK: Record<DomainStatus, { tone: BadgeTone; label: string }> = {
  pending: { tone: 'warning', label: 'Pending' },
  active: { tone: 'success', label: 'Active' },
  suspended: { tone: 'danger', label: 'Suspended' },
  deleting: { tone: 'neutral', label: 'Deleting' },
};

export function DomainStatusBadge({ status }: { status: DomainStatus }) {
  const look = LOOK[status] ?? { tone: 'neutral', label: status };
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
