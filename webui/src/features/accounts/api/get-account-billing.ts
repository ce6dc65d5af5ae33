import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { accountsQueryRoot } from './list-accounts';

/** The account's own tax rate ("0.00", exact; null: the panel's), reverse charge, customer lines and VAT number. */
export type AccountBilling = Schemas['AccountBillingOut'];

export const accountBillingQueryKey = (name: string) => [...accountsQueryRoot, 'billing', name] as const;

/** Administrators only. */
export function getAccountBilling(name: string, signal?: AbortSignal): Promise<AccountBilling> {
  return apiRequest<AccountBilling>(`/accounts/${encodeURIComponent(name)}/billing`, { signal });
}

export function useAccountBilling(name: string) {
  return useQuery({
    queryKey: accountBillingQueryKey(name),
    queryFn: ({ signal }) => getAccountBilling(name, signal),
  });
}
