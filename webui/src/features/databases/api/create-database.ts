import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Database } from '../types';
import { invalidateDatabases } from './keys';

export type CreateDatabaseInput = {
  /** The whole name, "<account>_" included. */
  name: string;
  /** Required when an administrator creates it. */
  account?: string;
};

/** 403 "Plan limit reached", 409 when the name is taken; field error `name` for a bad prefix. */
export function createDatabase(input: CreateDatabaseInput): Promise<Database> {
  return apiRequest<Database>('/databases', { method: 'POST', body: input });
}

export function useCreateDatabase() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createDatabase, onSuccess: () => invalidateDatabases(queryClient) });
}
