import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Backup } from '../types';
import { backupsQueryRoot } from './keys';

export const listBackupsQueryKey = (account: string | undefined) =>
  [...backupsQueryRoot, 'list', account ?? ''] as const;

export function listBackups(account: string | undefined, signal?: AbortSignal) {
  return apiRequest<{ items: Backup[] }>('/backups', { query: { account }, signal });
}

/** An account's backups, newest first; an administrator's list needs the account. */
export function useBackups(account: string | undefined, enabled = true) {
  return useQuery({
    queryKey: listBackupsQueryKey(account),
    queryFn: ({ signal }) => listBackups(account, signal),
    enabled,
  });
}
