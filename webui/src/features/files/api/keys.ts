import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every file manager query. */
export const filesQueryRoot = ['files'] as const;

/** After any change: every folder listing read so far. */
export function invalidateFiles(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: filesQueryRoot });
}
