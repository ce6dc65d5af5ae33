import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Job, RestoreInput } from '../types';
import { invalidateBackups } from './keys';

/** Starts a restore: the answer is the job that does it (202). */
export function startRestore({ backupId, what, name, placement, account }: RestoreInput): Promise<Job> {
  const body = { what, placement, ...(what === 'account' ? {} : { name }), ...(account ? { account } : {}) };
  return apiRequest<Job>(`/backups/${encodeURIComponent(backupId)}/restore`, { method: 'POST', body });
}

export function useStartRestore() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: startRestore, onSuccess: () => invalidateBackups(queryClient) });
}
