import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account, AccountShell } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

/** PATCH changes only the members present. */
export type UpdateAccountInput = {
  password?: string;
  shell?: AccountShell;
  email?: string | null;
  /** 409 when the account already uses more than the new plan allows. */
  plan?: string;
};

export function updateAccount(name: string, input: UpdateAccountInput): Promise<Account> {
  return apiRequest<Account>(`/accounts/${encodeURIComponent(name)}`, { method: 'PATCH', body: input });
}

export function useUpdateAccount(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateAccountInput) => updateAccount(name, input),
    onSuccess: (_account, input) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: accountsQueryRoot }),
        // Plans count their accounts (the plans feature keys its queries ['plans', ...]).
        input.plan !== undefined ? queryClient.invalidateQueries({ queryKey: ['plans'] }) : null,
      ]),
  });
}
