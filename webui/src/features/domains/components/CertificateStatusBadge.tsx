import { Badge, type BadgeTone } from '@/components/ui';
import type { Certificate } from '../types';

const LOOK: Record<Certificate['status'], { tone: BadgeTone; label: string }> = {
  none: { tone: 'neutral', label: 'No certificate' },
  issuing: { tone: 'warning', label: 'Issuing' },
  valid: { tone: 'success', label: 'Valid' },
  failed: { tone: 'danger', label: 'Failed' },
};

export function CertificateStatusBadge({ status }: { status: Certificate['status'] }) {
  const look = LOOK[status] ?? { tone: 'neutral', label: status };
  return <Badge tone={look.tone}>{look.label}</Badge>;
}
