import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { collectPages, MAX_PAGE_SIZE } from '@/lib/collect-pages';
import type { Page } from '@/types/api';

// The names a zone may take: the account's domains and their aliases. The domains feature owns
// the Domain type; this reads the two members it needs, under the domains' key prefix, so
// domain changes refresh it.
type DomainNames = { name: string; unicode_name: string; aliases: string[] };

export type ZoneNameChoice = { value: string; label: string };

export const domainChoicesQueryKey = (account: string) => ['domains', 'zone-choices', account] as const;

export async function listDomainChoices(account: string, signal?: AbortSignal) {
  const found = await collectPages((pageToken) =>
    apiRequest<Page<DomainNames>>('/domains', {
      query: { account: account || undefined, page_token: pageToken, limit: MAX_PAGE_SIZE },
      signal,
    }),
  );
  const choices: ZoneNameChoice[] = [];
  for (const d of found.items) {
    choices.push({
      value: d.name,
      label: d.unicode_name === d.name ? d.name : `${d.unicode_name} (${d.name})`,
    });
    for (const alias of d.aliases)
      choices.push({ value: alias, label: `${alias} (alias of ${d.unicode_name})` });
  }
  return { choices, complete: found.complete };
}

/** `account`: an administrator's choice; empty for an owner (its own domains). */
export function useDomainChoices(account: string, enabled = true) {
  return useQuery({
    queryKey: domainChoicesQueryKey(account),
    queryFn: ({ signal }) => listDomainChoices(account, signal),
    enabled,
  });
}
