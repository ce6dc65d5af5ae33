import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { Invoice } from '../types';
import { invoicesQueryRoot } from './keys';

export type ListInvoicesParams = {
  /** Administrators only: one account's invoices. */
  account?: string | undefined;
  pageToken?: string | undefined;
  limit?: number;
};

export const listInvoicesQueryKey = (params: ListInvoicesParams) =>
  [...invoicesQueryRoot, 'list', params] as const;

/** Owners get their own issued, paid and void invoices (never a draft); administrators all. */
export function listInvoices(params: ListInvoicesParams, signal?: AbortSignal): Promise<Page<Invoice>> {
  return apiRequest<Page<Invoice>>('/invoices', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useInvoices(params: ListInvoicesParams) {
  return useQuery({
    queryKey: listInvoicesQueryKey(params),
    queryFn: ({ signal }) => listInvoices(params, signal),
    placeholderData: keepPreviousData,
  });
}
