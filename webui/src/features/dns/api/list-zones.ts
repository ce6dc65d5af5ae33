import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { DnsZone } from '../types';
import { dnsQueryRoot } from './keys';

export type ListZonesParams = {
  /** Administrators only: one account's zones. */
  account?: string | undefined;
  pageToken?: string | undefined;
  limit?: number;
};

export const listZonesQueryKey = (params: ListZonesParams) => [...dnsQueryRoot, 'list', params] as const;

export function listZones(params: ListZonesParams, signal?: AbortSignal): Promise<Page<DnsZone>> {
  return apiRequest<Page<DnsZone>>('/dns-zones', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useZones(params: ListZonesParams) {
  return useQuery({
    queryKey: listZonesQueryKey(params),
    queryFn: ({ signal }) => listZones(params, signal),
    placeholderData: keepPreviousData,
  });
}
