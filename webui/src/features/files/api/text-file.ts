import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { FileEntry, TextFile } from '../types';
import { filesQueryRoot } from './keys';
import { useFileMutation } from './file-mutation';

export const textFileQueryKey = (account: string | undefined, path: string) =>
  [...filesQueryRoot, 'text', account ?? '', path] as const;

export function readTextFile(account: string | undefined, path: string, signal?: AbortSignal) {
  return apiRequest<TextFile>('/files/text', { query: { account, path }, signal });
}

/** A text file to edit (409 when above the limit or not UTF-8). */
export function useTextFile(account: string | undefined, path: string) {
  return useQuery({
    queryKey: textFileQueryKey(account, path),
    queryFn: ({ signal }) => readTextFile(account, path, signal),
    staleTime: 0,
  });
}

export type WriteTextInput = { account?: string | undefined; path: string; content: string };

/** Saves the text as the body (text/plain): larger than the API's JSON bodies may be. */
export function writeTextFile({ account, path, content }: WriteTextInput) {
  return apiRequest<FileEntry>('/files/text', {
    method: 'PUT',
    query: { account, path },
    raw: { data: content, type: 'text/plain; charset=utf-8' },
  });
}

export const useWriteTextFile = () => useFileMutation(writeTextFile);
