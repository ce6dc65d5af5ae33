import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page, Schemas } from '@/types/api';

export type Reseller = Schemas['Reseller'];

/** Prefix of every resellers query; mutations invalidate it as a whole. */
export const resellersQueryRoot = ['resellers'] as const;

export type ListResellersParams = { pageToken?: string | undefined; limit?: number };

export const listResellersQueryKey = (params: ListResellersParams) =>
  [...resellersQueryRoot, 'list', params] as const;

/** In name order, each with what its accounts reserve of its totals. Administrators only. */
export function listResellers(params: ListResellersParams, signal?: AbortSignal): Promise<Page<Reseller>> {
  return apiRequest<Page<Reseller>>('/resellers', {
    query: { page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useResellers(params: ListResellersParams) {
  return useQuery({
    queryKey: listResellersQueryKey(params),
    queryFn: ({ signal }) => listResellers(params, signal),
    placeholderData: keepPreviousData,
  });
}
