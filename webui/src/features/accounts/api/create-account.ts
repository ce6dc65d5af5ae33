import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account, AccountShell } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export type CreateAccountInput = {
  name: string;
  password: string;
  email?: string;
  shell?: AccountShell;
  /** The gateway puts the account on plan "default" when this is left out. */
  plan?: string;
};

export function createAccount(input: CreateAccountInput): Promise<Account> {
  return apiRequest<Account>('/accounts', { method: 'POST', body: input });
}

export function useCreateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createAccount,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: accountsQueryRoot }),
        // Plans count their accounts (the plans feature keys its queries ['plans', ...]).
        queryClient.invalidateQueries({ queryKey: ['plans'] }),
      ]),
  });
}
