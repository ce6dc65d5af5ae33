import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CronJob } from '../types';
import { invalidateCronJobs } from './keys';
import type { Schemas } from '@/types/api';

/** Only the members present change. */
/** The request body, as the API's document states it (generated types). */
export type UpdateCronJobInput = Schemas['CronJobUpdate'];

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
