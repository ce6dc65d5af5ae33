import { apiRequest } from '@/lib/api-client';
import type { FileEntry } from '../types';
import { useFileMutation } from './file-mutation';
import type { MoveInput } from './move-file';

export function copyFile({ account, path, destination }: MoveInput) {
  return apiRequest<FileEntry>('/files/copy', { method: 'POST', body: { account, path, destination } });
}

export const useCopyFile = () => useFileMutation(copyFile);
