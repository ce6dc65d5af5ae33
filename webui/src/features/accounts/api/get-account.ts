import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export const getAccountQueryKey = (name: string) => [...accountsQueryRoot, 'detail', name] as const;

/** One account, with `system` (uid, home, ...) filled in by the agent. */
export function getAccount(name: string, signal?: AbortSignal): Promise<Account> {
  return apiRequest<Account>(`/accounts/${encodeURIComponent(name)}`, { signal });
}

export function useAccount(name: string) {
  return useQuery({
    queryKey: getAccountQueryKey(name),
    queryFn: ({ signal }) => getAccount(name, signal),
  });
}
