import { useQuery } from '@tanstack/react-query';
import { collectPages, MAX_PAGE_SIZE } from '@/lib/collect-pages';
import { dnsQueryRoot } from './keys';
import { listZones } from './list-zones';

// Under the lists' prefix, so deleting a zone (which refreshes the lists) frees its name here.
export const zoneNamesQueryKey = (account: string) => [...dnsQueryRoot, 'list', 'names', account] as const;

/** The names the account's zones already have: the add-zone dialog leaves them out. */
export async function listZoneNames(account: string, signal?: AbortSignal) {
  const found = await collectPages((pageToken) =>
    listZones({ account: account || undefined, pageToken, limit: MAX_PAGE_SIZE }, signal),
  );
  return { names: found.items.map((zone) => zone.name), complete: found.complete };
}

/** `account`: an administrator's choice; empty for an owner (its own zones). */
export function useZoneNames(account: string, enabled = true) {
  return useQuery({
    queryKey: zoneNamesQueryKey(account),
    queryFn: ({ signal }) => listZoneNames(account, signal),
    enabled,
  });
}
