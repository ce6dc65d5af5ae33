import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Plan, PlanLimits, PlanSettings } from '@/types/api';
import { plansQueryRoot } from './list-plans';

/** Limits left out are unlimited (null). */
export type CreatePlanInput = { name: string } & Partial<PlanLimits> & Partial<PlanSettings>;

export function createPlan(input: CreatePlanInput): Promise<Plan> {
  return apiRequest<Plan>('/plans', { method: 'POST', body: input });
}

export function useCreatePlan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPlan,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: plansQueryRoot }),
  });
}
