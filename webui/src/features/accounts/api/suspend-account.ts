import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

/** Blocks the owner's logins and sites until unsuspended. */
export function suspendAccount(name: string): Promise<Account> {
  return apiRequest<Account>(`/accounts/${encodeURIComponent(name)}/suspend`, { method: 'POST' });
}

export function useSuspendAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: suspendAccount,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountsQueryRoot }),
  });
}
