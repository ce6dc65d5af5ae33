import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { Database } from '../types';
import { databasesQueryRoot } from './keys';

export type ListDatabasesParams = {
  /** Administrators only: one account's databases. */
  account?: string | undefined;
  pageToken?: string | undefined;
  /** 1 to 200. */
  limit?: number;
};

export const listDatabasesQueryKey = (params: ListDatabasesParams) =>
  [...databasesQueryRoot, 'list', params] as const;

/** In name order, each with its size; an owner sees only its own. */
export function listDatabases(params: ListDatabasesParams, signal?: AbortSignal): Promise<Page<Database>> {
  return apiRequest<Page<Database>>('/databases', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useDatabases(params: ListDatabasesParams) {
  return useQuery({
    queryKey: listDatabasesQueryKey(params),
    queryFn: ({ signal }) => listDatabases(params, signal),
    placeholderData: keepPreviousData,
  });
}
