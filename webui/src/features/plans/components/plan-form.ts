import { PLAN_LIMITS } from '@/lib/plan-limits';
import { limitError } from '@/lib/validation';
import type { Plan, PlanLimitKey, PlanLimits } from '@/types/api';
import type { LimitDraft } from './LimitField';
import { LOG_RETENTION, PHP_BOUNDS } from './php-bounds';

/**
 * Every field of the form but the name, as typed. `log_retention_days` is never unlimited (the
 * API requires a number of days); the others may be.
 */
export type LimitDrafts = Record<PlanLimitKey, LimitDraft>;

export type PlanField = 'name' | PlanLimitKey | 'ssh_shell' | 'php_open_basedir';

/** The nullable fields in the form's order, with their range (no top: the API's own). */
const NULLABLE: readonly { key: PlanLimitKey; min: number; max?: number }[] = [...PLAN_LIMITS, ...PHP_BOUNDS];
const KEYS: readonly PlanLimitKey[] = [...NULLABLE.map((l) => l.key), LOG_RETENTION.key];

export const PLAN_FIELDS: readonly PlanField[] = ['name', ...KEYS, 'ssh_shell', 'php_open_basedir'];

export function draftsFrom(plan: Plan | null): LimitDrafts {
  const drafts = {} as LimitDrafts;
  for (const { key } of NULLABLE) {
    const value = plan ? plan[key] : null;
    drafts[key] =
      value === null ? { unlimited: true, value: '' } : { unlimited: false, value: String(value) };
  }
  const days = plan ? plan.log_retention_days : LOG_RETENTION.default;
  drafts[LOG_RETENTION.key] = { unlimited: false, value: String(days) };
  return drafts;
}

export function limitsFrom(drafts: LimitDrafts): PlanLimits {
  const limits = {} as PlanLimits;
  for (const key of KEYS) {
    const d = drafts[key];
    limits[key] = d.unlimited ? null : Number(d.value.trim());
  }
  return limits;
}

/** "Enter a whole number from 32 to 8192.", or nothing when `value` is in the range. */
export function rangeError(value: string, min: number, max: number): string | undefined {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) return `Enter a whole number from ${min} to ${max}.`;
  return undefined;
}

export function limitErrors(drafts: LimitDrafts): Partial<Record<PlanLimitKey, string>> {
  const errors: Partial<Record<PlanLimitKey, string>> = {};
  for (const { key, min, max } of NULLABLE) {
    const d = drafts[key];
    if (d.unlimited) continue;
    errors[key] = limitError(d.value, min) ?? (max === undefined ? undefined : rangeError(d.value, min, max));
  }
  const { key, min, max } = LOG_RETENTION;
  errors[key] = rangeError(drafts[key].value, min, max);
  return errors;
}

/** The limits that differ from the plan's: PATCH sends only what changes. */
export function changedLimits(plan: Plan, limits: PlanLimits): Partial<PlanLimits> {
  const changed: Partial<PlanLimits> = {};
  for (const key of KEYS) {
    if (limits[key] !== plan[key]) changed[key] = limits[key];
  }
  return changed;
}
