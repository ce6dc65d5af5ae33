import { PLAN_LIMITS } from '@/lib/plan-limits';
import { limitError } from '@/lib/validation';
import type { Plan, PlanLimitKey, PlanLimits } from '@/types/api';
import type { LimitDraft } from './LimitField';

export type LimitDrafts = Record<PlanLimitKey, LimitDraft>;

export type PlanField = 'name' | PlanLimitKey | 'ssh_shell';
export const PLAN_FIELDS: readonly PlanField[] = ['name', ...PLAN_LIMITS.map((l) => l.key), 'ssh_shell'];

export function draftsFrom(plan: Plan | null): LimitDrafts {
  const drafts = {} as LimitDrafts;
  for (const { key } of PLAN_LIMITS) {
    const value = plan ? plan[key] : null;
    drafts[key] =
      value === null ? { unlimited: true, value: '' } : { unlimited: false, value: String(value) };
  }
  return drafts;
}

export function limitsFrom(drafts: LimitDrafts): PlanLimits {
  const limits = {} as PlanLimits;
  for (const { key } of PLAN_LIMITS) {
    const d = drafts[key];
    limits[key] = d.unlimited ? null : Number(d.value.trim());
  }
  return limits;
}

export function limitErrors(drafts: LimitDrafts): Partial<Record<PlanLimitKey, string>> {
  const errors: Partial<Record<PlanLimitKey, string>> = {};
  for (const { key, min } of PLAN_LIMITS) {
    if (!drafts[key].unlimited) errors[key] = limitError(drafts[key].value, min);
  }
  return errors;
}

/** The limits that differ from the plan's: PATCH sends only what changes. */
export function changedLimits(plan: Plan, limits: PlanLimits): Partial<PlanLimits> {
  const changed: Partial<PlanLimits> = {};
  for (const { key } of PLAN_LIMITS) {
    if (limits[key] !== plan[key]) changed[key] = limits[key];
  }
  return changed;
}
