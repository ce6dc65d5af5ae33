import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { accountBillingQueryKey, type AccountBilling } from './get-account-billing';

export type SetAccountBillingInput = Schemas['AccountBilling'];

/** For the account's invoices from now on; those already issued keep what they were issued with. */
export function setAccountBilling(name: string, input: SetAccountBillingInput): Promise<AccountBilling> {
  return apiRequest<AccountBilling>(`/accounts/${encodeURIComponent(name)}/billing`, {
    method: 'PUT',
    body: input,
  });
}

export function useSetAccountBilling(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SetAccountBillingInput) => setAccountBilling(name, input),
    onSuccess: (saved) => queryClient.setQueryData(accountBillingQueryKey(saved.account), saved),
  });
}
