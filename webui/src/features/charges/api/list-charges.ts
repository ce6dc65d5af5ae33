import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { Charge } from '../types';
import { chargesQueryRoot } from './keys';

export type ListChargesParams = {
  /** Administrators (and resellers): one account's charges. Owners get their own without it. */
  account?: string | undefined;
  pageToken?: string | undefined;
  limit?: number;
};

export const listChargesQueryKey = (params: ListChargesParams) =>
  [...chargesQueryRoot, 'list', params] as const;

/** Pending and billed charges alike; 404 for an account the caller may not see. */
export function listCharges(params: ListChargesParams, signal?: AbortSignal): Promise<Page<Charge>> {
  return apiRequest<Page<Charge>>('/charges', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useCharges(params: ListChargesParams) {
  return useQuery({
    queryKey: listChargesQueryKey(params),
    queryFn: ({ signal }) => listCharges(params, signal),
    placeholderData: keepPreviousData,
  });
}
