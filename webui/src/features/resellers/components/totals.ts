import { limitError } from '@/lib/validation';
import type { Reseller } from '../api/list-resellers';

export type TotalKey = 'max_accounts' | 'disk_quota_mb' | 'max_domains' | 'max_databases';

/** The totals in the order every resellers screen shows them. */
export const TOTALS: readonly { key: TotalKey; label: string; column: string }[] = [
  { key: 'max_accounts', label: 'Accounts', column: 'Accounts' },
  { key: 'disk_quota_mb', label: 'Disk (MiB)', column: 'Disk (MiB)' },
  { key: 'max_domains', label: 'Domains', column: 'Domains' },
  { key: 'max_databases', label: 'Databases', column: 'Databases' },
];

/** A total as the form holds it: an empty field is unlimited. */
export type TotalDrafts = Record<TotalKey, string>;
export type Totals = Record<TotalKey, number | null>;

export function draftsOf(reseller: Reseller | null): TotalDrafts {
  const drafts = {} as TotalDrafts;
  for (const { key } of TOTALS) {
    const value = reseller ? reseller[key] : null;
    drafts[key] = value === null ? '' : String(value);
  }
  return drafts;
}

export function totalsOf(drafts: TotalDrafts): Totals {
  const totals = {} as Totals;
  for (const { key } of TOTALS) totals[key] = drafts[key].trim() ? Number(drafts[key].trim()) : null;
  return totals;
}

export function totalErrors(drafts: TotalDrafts): Partial<Record<TotalKey, string>> {
  const errors: Partial<Record<TotalKey, string>> = {};
  for (const { key } of TOTALS) {
    if (drafts[key].trim()) errors[key] = limitError(drafts[key]);
  }
  return errors;
}

/** "3 of 10", "3 of unlimited", or "unlimited" when an account's plan is unlimited in it. */
export function reservedText(reserved: number | null, total: number | null): string {
  if (reserved === null) return total === null ? 'unlimited' : `unlimited of ${total}`;
  return `${reserved} of ${total === null ? 'unlimited' : total}`;
}
