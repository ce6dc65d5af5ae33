import { apiRequest } from '@/lib/api-client';
import type { FileEntry } from '../types';
import { useFileMutation } from './file-mutation';

export type ModeInput = { account?: string | undefined; path: string; mode: string };

export function setMode({ account, path, mode }: ModeInput) {
  return apiRequest<FileEntry>('/files/mode', { method: 'POST', body: { account, path, mode } });
}

export const useSetMode = () => useFileMutation(setMode);
