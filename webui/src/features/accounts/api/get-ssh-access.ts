import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export type SshAccess = Schemas['SshAccess'];

/** Under the accounts' root, so a plan or shell change of the account refreshes it too. */
export const sshAccessQueryKey = (name: string) => [...accountsQueryRoot, 'ssh-access', name] as const;

/** Whether the account's owner may sign in over SFTP/SSH, and whether it gets a shell. */
export function getSshAccess(name: string, signal?: AbortSignal): Promise<SshAccess> {
  return apiRequest<SshAccess>(`/ssh-access?account=${encodeURIComponent(name)}`, { signal });
}

export function useSshAccess(name: string) {
  return useQuery({
    queryKey: sshAccessQueryKey(name),
    queryFn: ({ signal }) => getSshAccess(name, signal),
  });
}
