import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateSshKeys } from './keys';

export function deleteSshKey(id: string): Promise<void> {
  return apiRequest<void>(`/ssh-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useDeleteSshKey() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: deleteSshKey, onSuccess: () => invalidateSshKeys(queryClient) });
}
