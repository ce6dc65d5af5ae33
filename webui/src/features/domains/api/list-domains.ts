import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { Domain } from '../types';
import { refetchWhileChanging } from './refetch';

/** Prefix of every domains query; mutations invalidate it as a whole. */
export const domainsQueryRoot = ['domains'] as const;

export type ListDomainsParams = {
  /** Administrators only: one account's domains. */
  account?: string | undefined;
  /** Name prefix. */
  q?: string | undefined;
  pageToken?: string | undefined;
  /** 1 to 200. */
  limit?: number;
};

export const listDomainsQueryKey = (params: ListDomainsParams) =>
  [...domainsQueryRoot, 'list', params] as const;

/** In name order; an owner sees only its own. */
export function listDomains(params: ListDomainsParams, signal?: AbortSignal): Promise<Page<Domain>> {
  return apiRequest<Page<Domain>>('/domains', {
    query: { account: params.account, q: params.q, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useDomains(params: ListDomainsParams) {
  return useQuery({
    queryKey: listDomainsQueryKey(params),
    queryFn: ({ signal }) => listDomains(params, signal),
    // One page on screen at a time; pages already seen stay cached for "Previous page".
    placeholderData: keepPreviousData,
    refetchInterval: (query) => refetchWhileChanging(query.state.data?.items ?? []),
  });
}
