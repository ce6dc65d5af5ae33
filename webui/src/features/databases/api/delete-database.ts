import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateDatabases } from './keys';

/** Drops the database with every table in it. */
export function deleteDatabase(name: string): Promise<void> {
  return apiRequest<void>(`/databases/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export function useDeleteDatabase() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteDatabase, onSuccess: () => invalidateDatabases(queryClient) });
}
