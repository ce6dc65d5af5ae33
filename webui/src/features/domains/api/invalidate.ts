import type { QueryClient } from '@tanstack/react-query';
import { domainsQueryRoot } from './list-domains';

/**
 * After a change to domains: the domains queries, and the owner's GET /me, whose plan usage
 * counts domains and aliases (the me feature keys it ['me']).
 */
export function invalidateDomains(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: domainsQueryRoot }),
    queryClient.invalidateQueries({ queryKey: ['me'] }),
  ]);
}

/**
 * After a zone was made for a domain: the dns feature's queries (['dns-zones'], which holds
 * the domain page's zone too) and the administrator's counts (the dashboard's ['server']).
 */
export function invalidateZones(queryClient: QueryClient) {
  return Promise.all(
    [['dns-zones'], ['server']].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
  );
}
