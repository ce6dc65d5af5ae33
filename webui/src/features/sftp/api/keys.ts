import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every SSH key query. */
export const sshKeysQueryRoot = ['ssh-keys'] as const;
export const sshAccessQueryKey = ['ssh-access'] as const;

export function invalidateSshKeys(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: sshKeysQueryRoot });
}
