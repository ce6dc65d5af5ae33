import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { getAccountQueryKey } from './get-account';
import { accountsQueryRoot } from './list-accounts';

export function deleteAccount(name: string): Promise<void> {
  return apiRequest<void>(`/accounts/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export function useDeleteAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAccount,
    onSuccess: (_data, name) => {
      // The detail page may still be mounted: mark it stale without refetching a 404 now.
      void queryClient.invalidateQueries({ queryKey: getAccountQueryKey(name), refetchType: 'none' });
      void queryClient.invalidateQueries({ queryKey: [...accountsQueryRoot, 'list'] });
    },
  });
}
