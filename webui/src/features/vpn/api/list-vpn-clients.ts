import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { VpnClient } from '../types';
import { vpnClientsQueryRoot } from './keys';

export type ListVpnClientsParams = {
  /** Administrators only: one account's clients. */
  account?: string | undefined;
  pageToken?: string | undefined;
  limit?: number;
};

export const listVpnClientsQueryKey = (params: ListVpnClientsParams) =>
  [...vpnClientsQueryRoot, 'list', params] as const;

export function listVpnClients(params: ListVpnClientsParams, signal?: AbortSignal): Promise<Page<VpnClient>> {
  return apiRequest<Page<VpnClient>>('/vpn-clients', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useVpnClients(params: ListVpnClientsParams) {
  return useQuery({
    queryKey: listVpnClientsQueryKey(params),
    queryFn: ({ signal }) => listVpnClients(params, signal),
    placeholderData: keepPreviousData,
  });
}
