import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CronJob } from '../types';
import { invalidateCronJobs } from './keys';

/** Only the members present change. */
export type UpdateCronJobInput = { schedule?: string; command?: string; enabled?: boolean };

export function updateCronJob(id: string, input: UpdateCronJobInput): Promise<CronJob> {
  return apiRequest<CronJob>(`/cron-jobs/${encodeURIComponent(id)}`, { method: 'PATCH', body: input });
}

export function useUpdateCronJob(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateCronJobInput) => updateCronJob(id, input),
    onSuccess: () => invalidateCronJobs(queryClient),
  });
}
