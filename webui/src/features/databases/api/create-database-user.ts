import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DatabaseUser } from '../types';
import { invalidateDatabases } from './keys';
import type { Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type CreateDatabaseUserInput = Schemas['DatabaseUserCreate'];

export function createDatabaseUser(input: CreateDatabaseUserInput): Promise<DatabaseUser> {
  return apiRequest<DatabaseUser>('/database-users', { method: 'POST', body: input });
}

export function useCreateDatabaseUser() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createDatabaseUser, onSuccess: () => invalidateDatabases(queryClient) });
}
