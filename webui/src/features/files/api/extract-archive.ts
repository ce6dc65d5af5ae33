import { apiRequest } from '@/lib/api-client';
import type { Extracted } from '../types';
import { useFileMutation } from './file-mutation';

export type ExtractInput = { account?: string | undefined; path: string; destination: string };

/** Unpacks into a folder; the format comes from the archive's name. */
export function extractArchive(input: ExtractInput) {
  return apiRequest<Extracted>('/files/extract', { method: 'POST', body: input });
}

export const useExtractArchive = () => useFileMutation(extractArchive);
