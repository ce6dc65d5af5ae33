import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateDatabases } from './keys';

/** The user can no longer log in; its databases stay. */
export function deleteDatabaseUser(name: string): Promise<void> {
  return apiRequest<void>(`/database-users/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export function useDeleteDatabaseUser() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteDatabaseUser, onSuccess: () => invalidateDatabases(queryClient) });
}
