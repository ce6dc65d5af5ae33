import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { FolderPage } from '../types';
import { filesQueryRoot } from './keys';

export const PAGE_SIZE = 100;

export const listFilesQueryKey = (account: string | undefined, path: string, pageToken: string) =>
  [...filesQueryRoot, 'list', account ?? '', path, pageToken] as const;

export function listFiles(
  account: string | undefined,
  path: string,
  pageToken: string,
  signal?: AbortSignal,
) {
  return apiRequest<FolderPage>('/files', {
    query: { account, path, page_token: pageToken, limit: PAGE_SIZE },
    signal,
  });
}

/** A page of a folder of the home; an administrator's needs the account. */
export function useFiles(account: string | undefined, path: string, pageToken: string, enabled = true) {
  return useQuery({
    queryKey: listFilesQueryKey(account, path, pageToken),
    queryFn: ({ signal }) => listFiles(account, path, pageToken, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}
