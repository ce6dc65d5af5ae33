import { keepPreviousData, useQuery, type QueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { DnsRecord } from '../types';
import { dnsQueryRoot } from './keys';

export type ListRecordsParams = { pageToken?: string | undefined; limit?: number };

export const listRecordsQueryKey = (zone: string, params: ListRecordsParams) =>
  [...dnsQueryRoot, 'records', zone, params] as const;

export function listRecords(
  zone: string,
  params: ListRecordsParams,
  signal?: AbortSignal,
): Promise<Page<DnsRecord>> {
  return apiRequest<Page<DnsRecord>>(`/dns-zones/${encodeURIComponent(zone)}/records`, {
    query: { page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useRecords(zone: string, params: ListRecordsParams) {
  return useQuery({
    queryKey: listRecordsQueryKey(zone, params),
    queryFn: ({ signal }) => listRecords(zone, params, signal),
    placeholderData: keepPreviousData,
  });
}

/** After a record changes: the zone's records, and the zones (their record counts). */
export function invalidateRecords(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: dnsQueryRoot });
}
