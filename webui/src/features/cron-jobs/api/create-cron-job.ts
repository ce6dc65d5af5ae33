import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CronJob } from '../types';
import { invalidateCronJobs } from './keys';
import type { Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type CreateCronJobInput = Schemas['CronJobCreate'];

/** 403 "Plan limit reached" when the plan allows no more jobs. */
export function createCronJob(input: CreateCronJobInput): Promise<CronJob> {
  return apiRequest<CronJob>('/cron-jobs', { method: 'POST', body: input });
}

export function useCreateCronJob() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createCronJob, onSuccess: () => invalidateCronJobs(queryClient) });
}
