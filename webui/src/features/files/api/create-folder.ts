import { apiRequest } from '@/lib/api-client';
import type { FileEntry } from '../types';
import { useFileMutation } from './file-mutation';

export type CreateFolderInput = { account?: string | undefined; path: string };

export function createFolder({ account, path }: CreateFolderInput) {
  return apiRequest<FileEntry>('/files/folders', { method: 'POST', body: { account, path } });
}

export const useCreateFolder = () => useFileMutation(createFolder);
