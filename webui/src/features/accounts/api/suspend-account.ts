import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export type SuspendAccountInput = { name: string; reason?: string };

/** Blocks the owner's logins and sites until an administrator unsuspends it. */
export function suspendAccount({ name, reason }: SuspendAccountInput): Promise<Account> {
  return apiRequest<Account>(`/accounts/${encodeURIComponent(name)}/suspend`, {
    method: 'POST',
    body: reason ? { reason } : {},
  });
}

export function useSuspendAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: suspendAccount,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountsQueryRoot }),
  });
}
