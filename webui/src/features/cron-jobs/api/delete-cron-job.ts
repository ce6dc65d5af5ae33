import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateCronJobs } from './keys';

export function deleteCronJob(id: string): Promise<void> {
  return apiRequest<void>(`/cron-jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useDeleteCronJob() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteCronJob, onSuccess: () => invalidateCronJobs(queryClient) });
}
