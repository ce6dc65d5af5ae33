import { Badge, type BadgeTone } from '@/components/ui';
import type { AccountStatus } from '@/types/api';

const LOOK: Record<AccountStatus, { tone: BadgeTone; label: string }> = {
  pending: { tone: 'warning', label: 'Pending' },
  active: { tone: 'success', label: 'Active' },
  suspended: { tone: 'danger', label: 'Suspended' },
  deleting: { tone: 'warning', label: 'Deleting' },
};

export function AccountStatusBadge({ status }: { status: AccountStatus }) {
  const look = LOOK[status] ?? { tone: 'neutral', label: status };
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
