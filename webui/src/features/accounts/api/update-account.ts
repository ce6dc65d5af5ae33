import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Account, Schemas } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

/** PATCH changes only the members present. */
/** The request body, as the API's document states it (generated types). */
export type UpdateAccountInput = Schemas['AccountUpdate'];

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
