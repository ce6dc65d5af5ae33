import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Database } from '../types';
import { invalidateDatabases } from './keys';
import type { Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type CreateDatabaseInput = Schemas['DatabaseCreate'];

/** 403 "Plan limit reached", 409 when the name is taken; field error `name` for a bad prefix. */
export function createDatabase(input: CreateDatabaseInput): Promise<Database> {
  return apiRequest<Database>('/databases', { method: 'POST', body: input });
}

export function useCreateDatabase() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createDatabase, onSuccess: () => invalidateDatabases(queryClient) });
}
