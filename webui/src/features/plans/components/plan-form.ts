import { PLAN_LIMITS } from '@/lib/plan-limits';
import { limitError } from '@/lib/validation';
import type { Plan, PlanLimitKey, PlanLimits, PlanSettingKey, PlanSettings } from '@/types/api';
import type { LimitDraft } from './LimitField';
import { LOG_RETENTION, PHP_BOUNDS } from './php-bounds';

/**
 * Every field of the form but the name, as typed. `log_retention_days` is never unlimited (the
 * API requires a number of days); the others may be.
 */
export type LimitDrafts = Record<PlanLimitKey, LimitDraft>;

export type PlanField = 'name' | PlanLimitKey | PlanSettingKey;

/** The settings (what a plan switches on or off) in the form's order, one checkbox each. */
export const PLAN_SETTINGS: readonly { key: PlanSettingKey; label: string; hint: string }[] = [
  {
    key: 'ssh_shell',
    label: 'Shell over SSH',
    hint: 'Accounts on the plan whose login shell is bash or sh get it over SSH, not chrooted. Off: SFTP only, inside their home. A change applies to every account on the plan at once.',
  },
  {
    key: 'php_open_basedir',
    label: "Keep PHP scripts in the account's home (open_basedir)",
    hint: "Off lets their scripts open files outside their home, a little faster: for trusted customers only. A reseller's plans keep it on. A change applies to every account on the plan at once.",
  },
  {
    key: 'php_static_pools',
    label: 'Keep every PHP worker running (static pools)',
    hint: "Accounts on the plan may set their PHP pools to static: all their workers always run, so no request waits for one to start, but each idle worker still holds its memory. It cannot be turned off while an account on the plan runs static pools. A reseller's plans do not grant it.",
  },
];

/** A new plan's settings: SFTP only, PHP kept in the homes, no static pools. */
export const NEW_PLAN_SETTINGS: PlanSettings = {
  ssh_shell: false,
  php_open_basedir: true,
  php_static_pools: false,
};

/** The nullable fields in the form's order, with their range (no top: the API's own). */
const NULLABLE: readonly { key: PlanLimitKey; min: number; max?: number }[] = [...PLAN_LIMITS, ...PHP_BOUNDS];
const KEYS: readonly PlanLimitKey[] = [...NULLABLE.map((l) => l.key), LOG_RETENTION.key];

export const PLAN_FIELDS: readonly PlanField[] = ['name', ...KEYS, ...PLAN_SETTINGS.map((s) => s.key)];

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

export function settingsFrom(plan: Plan): PlanSettings {
  const { ssh_shell, php_open_basedir, php_static_pools } = plan;
  return { ssh_shell, php_open_basedir, php_static_pools };
}

/** The settings that differ from the plan's, as for the limits. */
export function changedSettings(plan: Plan, settings: PlanSettings): Partial<PlanSettings> {
  const changed: Partial<PlanSettings> = {};
  for (const { key } of PLAN_SETTINGS) {
    if (settings[key] !== plan[key]) changed[key] = settings[key];
  }
  return changed;
}
