import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every DNS query: zones, one zone, its records. */
export const dnsQueryRoot = ['dns-zones'] as const;

/** After a change of zones: this feature's queries and the administrator's counts. */
export function invalidateZones(queryClient: QueryClient) {
  return Promise.all(
    [dnsQueryRoot, ['server']].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
  );
}
