import { Badge } from '@/components/ui';
import type { DatabaseStatus } from '../types';

/** Active is the normal state and goes unsaid; the others are worth a badge. */
export function DatabaseStatusBadge({ status }: { status: DatabaseStatus }) {
  if (status === 'active') return null;
  return (
    <Badge tone={status === 'pending' ? 'warning' : 'neutral'}>
      {status === 'pending' ? 'Pending' : 'Deleting'}
    </Badge>
  );
}
