import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export function unsuspendAccount(name: string): Promise<Account> {
  return apiRequest<Account>(`/accounts/${encodeURIComponent(name)}/unsuspend`, { method: 'POST' });
}

export function useUnsuspendAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: unsuspendAccount,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountsQueryRoot }),
  });
}
