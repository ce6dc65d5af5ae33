import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { RepositoryAccount } from '../types';
import { backupsQueryRoot } from './keys';

export const listRepositoryAccountsQueryKey = (repository: string) =>
  [...backupsQueryRoot, 'repository-accounts', repository] as const;

export function listRepositoryAccounts(repository: string, signal?: AbortSignal) {
  return apiRequest<{ items: RepositoryAccount[] }>('/backup-accounts', {
    query: { repository: repository || undefined },
    signal,
  });
}

/** The accounts a repository holds backups of that no account here owns (administrators). */
export function useRepositoryAccounts(repository: string, enabled = true) {
  return useQuery({
    queryKey: listRepositoryAccountsQueryKey(repository),
    queryFn: ({ signal }) => listRepositoryAccounts(repository, signal),
    enabled,
  });
}
