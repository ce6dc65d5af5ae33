import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { plansQueryRoot } from './list-plans';

/** A plan's price per period ("9.90", exact; null: not billed) and its period. */
export type PlanBilling = Schemas['PlanBillingOut'];

export const planBillingQueryKey = (name: string) => [...plansQueryRoot, 'billing', name] as const;

/** Administrators only. */
export function getPlanBilling(name: string, signal?: AbortSignal): Promise<PlanBilling> {
  return apiRequest<PlanBilling>(`/plans/${encodeURIComponent(name)}/billing`, { signal });
}

export function usePlanBilling(name: string) {
  return useQuery({
    queryKey: planBillingQueryKey(name),
    queryFn: ({ signal }) => getPlanBilling(name, signal),
  });
}
