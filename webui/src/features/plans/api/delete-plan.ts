import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { plansQueryRoot } from './list-plans';

/** 409 while accounts use the plan. */
export function deletePlan(name: string): Promise<void> {
  return apiRequest<void>(`/plans/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export function useDeletePlan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deletePlan,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: plansQueryRoot }),
  });
}
