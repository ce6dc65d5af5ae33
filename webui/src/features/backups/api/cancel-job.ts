import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Job } from '../types';
import { getJobQueryKey } from './get-job';
import { invalidateBackups } from './keys';

/** Stops a queued or running job; the answer is the job once it has ended. */
export function cancelJob(id: string): Promise<Job> {
  return apiRequest<Job>(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}

export function useCancelJob(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => cancelJob(id),
    onSuccess: (job) => {
      queryClient.setQueryData(getJobQueryKey(id), job);
      return invalidateBackups(queryClient);
    },
  });
}
