import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every charges query. */
export const chargesQueryRoot = ['charges'] as const;

export function invalidateCharges(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: chargesQueryRoot });
}
