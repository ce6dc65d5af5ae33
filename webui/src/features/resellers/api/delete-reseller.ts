import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { resellersQueryRoot } from './list-resellers';

/** Deletes the reseller and its plans; 409 while accounts are on them. */
export function deleteReseller(name: string): Promise<void> {
  return apiRequest<void>(`/resellers/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export function useDeleteReseller() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteReseller,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: resellersQueryRoot }),
  });
}
