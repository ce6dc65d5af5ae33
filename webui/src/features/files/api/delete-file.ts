import { apiRequest } from '@/lib/api-client';
import { useFileMutation } from './file-mutation';

export type DeleteInput = { account?: string | undefined; path: string };

export function deleteFile({ account, path }: DeleteInput) {
  return apiRequest<void>('/files', { method: 'DELETE', query: { account, path } });
}

export const useDeleteFile = () => useFileMutation(deleteFile);
