import type { QueryClient } from '@tanstack/react-query';

/** Prefixes of this feature's queries; a change invalidates both (users list their databases). */
export const databasesQueryRoot = ['databases'] as const;
export const databaseUsersQueryRoot = ['database-users'] as const;

/**
 * After any change: both lists, the owner's GET /me (plan usage counts databases) and the
 * administrator's server overview (counts).
 */
export function invalidateDatabases(queryClient: QueryClient) {
  return Promise.all(
    [databasesQueryRoot, databaseUsersQueryRoot, ['me'], ['server']].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  );
}
