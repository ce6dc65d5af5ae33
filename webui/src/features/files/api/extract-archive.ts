import { apiRequest } from '@/lib/api-client';
import type { Job } from '../types';
import { useFileMutation } from './file-mutation';

export type ExtractInput = { account?: string | undefined; path: string; destination: string };

/** Starts the job that unpacks into a folder (202); the format comes from the archive's name. */
export function extractArchive(input: ExtractInput) {
  return apiRequest<Job>('/files/extract', { method: 'POST', body: input });
}

export const useExtractArchive = () => useFileMutation(extractArchive);
