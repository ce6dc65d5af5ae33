import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account } from '@/types/api';

// GET /me carries no live system data; an owner may GET its own account, whose `system` the
// agent fills in. Keyed like the accounts feature's detail query: the same resource and shape.
export const getOwnAccountQueryKey = (name: string) => ['accounts', 'detail', name] as const;

export function getOwnAccount(name: string, signal?: AbortSignal): Promise<Account> {
  return apiRequest<Account>(`/accounts/${encodeURIComponent(name)}`, { signal });
}

export function useOwnAccount(name: string | undefined) {
  return useQuery({
    queryKey: getOwnAccountQueryKey(name ?? ''),
    queryFn: ({ signal }) => getOwnAccount(name ?? '', signal),
    enabled: Boolean(name),
  });
}
