import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account, AccountShell } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

export type CreateAccountInput = {
  name: string;
  password: string;
  email?: string;
  shell?: AccountShell;
};

export function createAccount(input: CreateAccountInput): Promise<Account> {
  return apiRequest<Account>('/accounts', { method: 'POST', body: input });
}

export function useCreateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createAccount,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountsQueryRoot }),
  });
}
