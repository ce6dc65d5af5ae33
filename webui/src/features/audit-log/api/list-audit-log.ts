import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page, Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type AuditEntry = Schemas['AuditEntry'];

export type ListAuditLogParams = { pageToken?: string | undefined; limit?: number };

export const listAuditLogQueryKey = (params: ListAuditLogParams) => ['audit-log', 'list', params] as const;

/** Newest first. */
export function listAuditLog(params: ListAuditLogParams, signal?: AbortSignal): Promise<Page<AuditEntry>> {
  return apiRequest<Page<AuditEntry>>('/audit-log', {
    query: { page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useAuditLog(params: ListAuditLogParams) {
  return useQuery({
    queryKey: listAuditLogQueryKey(params),
    queryFn: ({ signal }) => listAuditLog(params, signal),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}
