import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every invoices query. */
export const invoicesQueryRoot = ['invoices'] as const;

export function invalidateInvoices(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: invoicesQueryRoot });
}
