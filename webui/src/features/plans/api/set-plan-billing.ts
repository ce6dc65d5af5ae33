import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { planBillingQueryKey, type PlanBilling } from './get-plan-billing';

export type SetPlanBillingInput = Schemas['PlanBilling'];

/** An invoice bills a period at the price in force when it is made, for the whole period. */
export function setPlanBilling(name: string, input: SetPlanBillingInput): Promise<PlanBilling> {
  return apiRequest<PlanBilling>(`/plans/${encodeURIComponent(name)}/billing`, {
    method: 'PUT',
    body: input,
  });
}

export function useSetPlanBilling(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SetPlanBillingInput) => setPlanBilling(name, input),
    onSuccess: (saved) => queryClient.setQueryData(planBillingQueryKey(saved.plan), saved),
  });
}
