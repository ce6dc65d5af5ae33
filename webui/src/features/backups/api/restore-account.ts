import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { AccountRestoreInput, Job } from '../types';
import { invalidateBackups } from './keys';

/** Makes the account here from one of its backups; the answer is the restore's job (202). */
export function restoreAccount({
  account,
  uid,
  backupId,
  repository,
  plan,
  password,
}: AccountRestoreInput): Promise<Job> {
  const body = {
    uid,
    backup_id: backupId,
    password,
    ...(repository ? { repository } : {}),
    ...(plan ? { plan } : {}),
  };
  return apiRequest<Job>(`/backup-accounts/${encodeURIComponent(account)}/restore`, {
    method: 'POST',
    body,
  });
}

export function useRestoreAccount() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: restoreAccount, onSuccess: () => invalidateBackups(queryClient) });
}
