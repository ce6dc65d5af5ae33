import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Job } from '../types';
import { invalidateBackups } from './keys';

/** Starts a backup now: the answer is the job that makes it (202). */
export function startBackup(account?: string): Promise<Job> {
  return apiRequest<Job>('/backups', { method: 'POST', body: account ? { account } : {} });
}

export function useStartBackup() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: startBackup, onSuccess: () => invalidateBackups(queryClient) });
}
