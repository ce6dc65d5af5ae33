import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DatabaseUser } from '../types';
import { invalidateDatabases } from './keys';

export type CreateDatabaseUserInput = {
  /** The whole name, "<account>_" included. */
  name: string;
  password: string;
  /** Databases of the same account it may use; a foreign one is field error `databases.N`. */
  databases?: string[];
  /** Required when an administrator creates it. */
  account?: string;
};

export function createDatabaseUser(input: CreateDatabaseUserInput): Promise<DatabaseUser> {
  return apiRequest<DatabaseUser>('/database-users', { method: 'POST', body: input });
}

export function useCreateDatabaseUser() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createDatabaseUser, onSuccess: () => invalidateDatabases(queryClient) });
}
