import { apiRequest } from '@/lib/api-client';
import type { ArchiveFormat, FileEntry } from '../types';
import { useFileMutation } from './file-mutation';

export type ArchiveInput = {
  account?: string | undefined;
  folder: string;
  names: string[];
  destination: string;
  format: ArchiveFormat;
};

export function makeArchive(input: ArchiveInput) {
  return apiRequest<FileEntry>('/files/archive', { method: 'POST', body: input });
}

export const useMakeArchive = () => useFileMutation(makeArchive);
