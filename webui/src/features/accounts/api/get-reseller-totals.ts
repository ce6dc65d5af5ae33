import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Me, Schemas } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export type ResellerTotals = Schemas['Reseller'];

// Under the accounts key: creating or deleting an account changes what is reserved.
export const resellerTotalsQueryKey = [...accountsQueryRoot, 'reseller-totals'] as const;

/** A reseller's totals and what its accounts reserve of them (GET /me). */
export async function getResellerTotals(signal?: AbortSignal): Promise<ResellerTotals | null> {
  const me = await apiRequest<Me>('/me', { signal });
  return me.reseller;
}

export function useResellerTotals(enabled: boolean) {
  return useQuery({
    queryKey: resellerTotalsQueryKey,
    queryFn: ({ signal }) => getResellerTotals(signal),
    enabled,
  });
}
