import { apiRequest } from '@/lib/api-client';
import type { FileEntry } from '../types';
import { useFileMutation } from './file-mutation';

export type MoveInput = { account?: string | undefined; path: string; destination: string };

/** Rename or move: one operation (a move is a rename into another folder). */
export function moveFile({ account, path, destination }: MoveInput) {
  return apiRequest<FileEntry>('/files/move', { method: 'POST', body: { account, path, destination } });
}

export const useMoveFile = () => useFileMutation(moveFile);
