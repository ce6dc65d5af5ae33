import { useSession } from '@/lib/session';
import { useResellerTotals, type ResellerTotals } from '../api/get-reseller-totals';

const TOTALS = [
  ['max_accounts', 'accounts'],
  ['disk_quota_mb', 'MiB of disk'],
  ['max_domains', 'domains'],
  ['max_databases', 'databases'],
] as const;

/** For a reseller: what its accounts reserve of the totals an administrator gave it. */
export function ResellerTotalsNote() {
  const reseller = useSession((s) => s.user?.role === 'reseller');
  const data = useResellerTotals(reseller).data;
  if (!reseller || !data) return null;
  return (
    <p className="muted">
      Reserved of your totals: {TOTALS.map(([key, noun]) => part(data, key, noun)).join('; ')}.
    </p>
  );
}

function part(totals: ResellerTotals, key: (typeof TOTALS)[number][0], noun: string): string {
  const reserved = totals.reserved[key];
  const total = totals[key];
  if (total === null) return `${noun}: no limit`;
  return `${reserved ?? 'unlimited'} of ${total} ${noun}`;
}
