import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { DatabaseUser } from '../types';
import { databaseUsersQueryRoot } from './keys';

export type ListDatabaseUsersParams = {
  /** Administrators only: one account's users. */
  account?: string | undefined;
  pageToken?: string | undefined;
  limit?: number;
};

export const listDatabaseUsersQueryKey = (params: ListDatabaseUsersParams) =>
  [...databaseUsersQueryRoot, 'list', params] as const;

export function listDatabaseUsers(
  params: ListDatabaseUsersParams,
  signal?: AbortSignal,
): Promise<Page<DatabaseUser>> {
  return apiRequest<Page<DatabaseUser>>('/database-users', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useDatabaseUsers(params: ListDatabaseUsersParams) {
  return useQuery({
    queryKey: listDatabaseUsersQueryKey(params),
    queryFn: ({ signal }) => listDatabaseUsers(params, signal),
    placeholderData: keepPreviousData,
  });
}
