import { useQuery } from '@tanstack/react-query';
import { collectPages, MAX_PAGE_SIZE } from '@/lib/collect-pages';
import { databasesQueryRoot } from './keys';
import { listDatabases } from './list-databases';

export const databaseChoicesQueryKey = (account: string) =>
  [...databasesQueryRoot, 'choices', account] as const;

/** The names of an account's databases, for a user's access list (up to 1,000). */
export async function listDatabaseChoices(account: string, signal?: AbortSignal) {
  const found = await collectPages((pageToken) =>
    listDatabases({ account: account || undefined, pageToken, limit: MAX_PAGE_SIZE }, signal),
  );
  return { names: found.items.map((d) => d.name), complete: found.complete };
}

/** `account`: an administrator's choice of account; empty for an owner (its own). */
export function useDatabaseChoices(account: string, enabled = true) {
  return useQuery({
    queryKey: databaseChoicesQueryKey(account),
    queryFn: ({ signal }) => listDatabaseChoices(account, signal),
    enabled,
  });
}
