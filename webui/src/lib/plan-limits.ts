import { formatInteger } from '@/lib/format';
import type { PlanLimitKey } from '@/types/api';

type LimitInfo = {
  key: PlanLimitKey;
  /** Field label. */
  label: string;
  /** Table column header, short enough for every limit to fit beside each other. */
  column: string;
  /** Counted thing, singular and plural ("domain", "domains"). */
  noun: readonly [string, string];
  hint?: string;
  /** The smallest number the API takes for the limit (null, unlimited, aside). */
  min: number;
};

/** The plan limits in the order every screen shows them. */
export const PLAN_LIMITS: readonly LimitInfo[] = [
  { key: 'max_domains', label: 'Domains', column: 'Domains', noun: ['domain', 'domains'], min: 0 },
  {
    key: 'max_aliases',
    label: 'Aliases per domain',
    column: 'Aliases / domain',
    noun: ['alias', 'aliases'],
    hint: 'Counted per domain.',
    min: 0,
  },
  {
    key: 'max_databases',
    label: 'Databases',
    column: 'Databases',
    noun: ['database', 'databases'],
    min: 0,
  },
  {
    key: 'max_cron_jobs',
    label: 'Cron jobs',
    column: 'Cron jobs',
    noun: ['cron job', 'cron jobs'],
    min: 0,
  },
  {
    key: 'disk_quota_mb',
    label: 'Disk quota (MB)',
    column: 'Disk (MB)',
    noun: ['MB', 'MB'],
    hint: "For all the account's files, in MiB (1,048,576 bytes).",
    // The server enforces it as a user quota, where 0 would mean no quota at all.
    min: 1,
  },
  {
    key: 'inode_quota',
    label: 'Files (inodes)',
    column: 'Files',
    noun: ['file', 'files'],
    hint: 'How many files, folders and links the account may own, beside the disk quota.',
    min: 1,
  },
];

const plural = (n: number, noun: readonly [string, string]) => (n === 1 ? noun[0] : noun[1]);

/** A limit on its own: "Unlimited", "None allowed" or "10". */
export function formatLimit(limit: number | null): string {
  if (limit === null) return 'Unlimited';
  if (limit === 0) return 'None allowed';
  return formatInteger(limit);
}

/**
 * What an account uses of a limit: "3 of 10 domains", "3 domains, unlimited", and for limits
 * whose use is not counted yet "Up to 10 domains" or "Unlimited".
 */
export function formatUsage(
  limit: number | null,
  used: number | undefined,
  noun: readonly [string, string],
): string {
  if (used === undefined) {
    if (limit === null) return 'Unlimited';
    if (limit === 0) return 'None allowed';
    return `Up to ${formatInteger(limit)} ${plural(limit, noun)}`;
  }
  if (limit === null) return `${formatInteger(used)} ${plural(used, noun)}, unlimited`;
  if (limit === 0 && used === 0) return 'None allowed';
  return `${formatInteger(used)} of ${formatInteger(limit)} ${plural(limit, noun)}`;
}
