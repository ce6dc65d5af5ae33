import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account, Page } from '@/types/api';

/** Prefix of every accounts query; mutations invalidate it as a whole. */
export const accountsQueryRoot = ['accounts'] as const;

export type ListAccountsParams = { q?: string; pageToken?: string | undefined; limit?: number };

export const listAccountsQueryKey = (params: ListAccountsParams) =>
  [...accountsQueryRoot, 'list', params] as const;

export function listAccounts(params: ListAccountsParams, signal?: AbortSignal): Promise<Page<Account>> {
  return apiRequest<Page<Account>>('/accounts', {
    query: { q: params.q, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useAccounts(params: ListAccountsParams) {
  return useQuery({
    queryKey: listAccountsQueryKey(params),
    queryFn: ({ signal }) => listAccounts(params, signal),
    // Keep the current page on screen while the next one or a new search loads.
    placeholderData: keepPreviousData,
  });
}
