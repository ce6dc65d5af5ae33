import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PhpPool } from '../types';

// Under the accounts prefix: a plan change (which moves the bound) invalidates ['accounts'].
export const getPhpPoolQueryKey = (account: string) => ['accounts', 'php-pool', account] as const;

/** The account's pool limits and the most workers its plan allows. */
export function getPhpPool(account: string, signal?: AbortSignal): Promise<PhpPool> {
  return apiRequest<PhpPool>(`/accounts/${encodeURIComponent(account)}/php-pool`, { signal });
}

export function usePhpPool(account: string) {
  return useQuery({
    queryKey: getPhpPoolQueryKey(account),
    queryFn: ({ signal }) => getPhpPool(account, signal),
  });
}
