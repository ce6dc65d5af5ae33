import type { PlanLimitKey } from '@/types/api';

export type BoundInfo = {
  key: PlanLimitKey;
  label: string;
  hint: string;
  /** The setting's absolute range (jopanel_rules/web.py); null in the plan means `max`. */
  min: number;
  max: number;
};

// The ranges repeat jopanel_rules/web.py (PHP_SETTING_RANGES, PHP_MAX_CHILDREN_*) so the form
// can say them before sending; the gateway checks them again and its field error wins.
export const PHP_BOUNDS: readonly BoundInfo[] = [
  {
    key: 'max_php_memory_mb',
    label: 'PHP memory limit (MiB)',
    hint: 'The highest memory_limit a site may choose: 32 to 8192; Unlimited allows 8192.',
    min: 32,
    max: 8192,
  },
  {
    key: 'max_php_upload_mb',
    label: 'PHP upload size (MiB)',
    hint: 'The highest upload and request body size: 1 to 8192; Unlimited allows 8192.',
    min: 1,
    max: 8192,
  },
  {
    key: 'max_php_execution_seconds',
    label: 'PHP script run (seconds)',
    hint: 'The longest max_execution_time: 1 to 300; Unlimited allows 300.',
    min: 1,
    max: 300,
  },
  {
    key: 'max_php_input_vars',
    label: 'PHP input variables',
    hint: 'The most max_input_vars: 100 to 100,000; Unlimited allows 100,000.',
    min: 100,
    max: 100_000,
  },
  {
    key: 'max_php_children',
    label: 'PHP workers per pool',
    hint: 'The most pm.max_children of each PHP pool: 1 to 64; Unlimited allows 64.',
    min: 1,
    max: 64,
  },
];

export const LOG_RETENTION = { key: 'log_retention_days', min: 1, max: 365, default: 14 } as const;
