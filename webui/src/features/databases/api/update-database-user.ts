import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DatabaseUser } from '../types';
import { invalidateDatabases } from './keys';
import type { Schemas } from '@/types/api';

/** Only the members present change; `databases` is the full list the user may use. */
/** The request body, as the API's document states it (generated types). */
export type UpdateDatabaseUserInput = Schemas['DatabaseUserUpdate'];

export function updateDatabaseUser(name: string, input: UpdateDatabaseUserInput): Promise<DatabaseUser> {
  return apiRequest<DatabaseUser>(`/database-users/${encodeURIComponent(name)}`, {
    method: 'PATCH',
    body: input,
  });
}

export function useUpdateDatabaseUser(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateDatabaseUserInput) => updateDatabaseUser(name, input),
    onSuccess: () => invalidateDatabases(queryClient),
  });
}
