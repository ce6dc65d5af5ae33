import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';

// The accounts API has no count yet, so the dashboard walks the list at the largest page
// size. The walk stops after MAX_PAGES pages and reports a lower bound beyond that.
// TODO(api): replace with a count from a server-summary endpoint once the gateway has one.
const PAGE_SIZE = 200;
const MAX_PAGES = 25;

export type AccountCount = { count: number; atLeast: boolean };

export const countAccountsQueryKey = ['dashboard', 'account-count'] as const;

export async function countAccounts(signal?: AbortSignal): Promise<AccountCount> {
  let count = 0;
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await apiRequest<Page<unknown>>('/accounts', {
      query: { limit: PAGE_SIZE, page_token: pageToken },
      signal,
    });
    count += result.items.length;
    if (!result.next_page_token) return { count, atLeast: false };
    pageToken = result.next_page_token;
  }
  return { count, atLeast: true };
}

export function useAccountCount() {
  return useQuery({
    queryKey: countAccountsQueryKey,
    queryFn: ({ signal }) => countAccounts(signal),
    staleTime: 0,
  });
}
