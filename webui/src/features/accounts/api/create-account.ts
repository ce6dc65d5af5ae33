import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account, Schemas } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

/** The request body, as the API's document states it (generated types). */
export type CreateAccountInput = Schemas['AccountCreate'];

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
