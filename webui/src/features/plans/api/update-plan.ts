import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Plan, PlanLimits, PlanSettings } from '@/types/api';
import { plansQueryRoot } from './list-plans';

/** Only the limits and settings present change; null makes a limit unlimited. */
export type UpdatePlanInput = Partial<PlanLimits> & Partial<PlanSettings>;

/** 409 when an account on the plan already uses more than a new limit. */
export function updatePlan(name: string, input: UpdatePlanInput): Promise<Plan> {
  return apiRequest<Plan>(`/plans/${encodeURIComponent(name)}`, { method: 'PATCH', body: input });
}

export function useUpdatePlan(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdatePlanInput) => updatePlan(name, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: plansQueryRoot }),
  });
}
