import { apiRequest } from '@/lib/api-client';
import type { ArchiveFormat, Job } from '../types';
import { useFileMutation } from './file-mutation';

export type ArchiveInput = {
  account?: string | undefined;
  folder: string;
  names: string[];
  destination: string;
  format: ArchiveFormat;
};

/** Starts the job that packs the entries (202). */
export function makeArchive(input: ArchiveInput) {
  return apiRequest<Job>('/files/archive', { method: 'POST', body: input });
}

export const useMakeArchive = () => useFileMutation(makeArchive);
