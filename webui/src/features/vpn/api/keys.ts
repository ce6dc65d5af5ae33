import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every VPN clients query. */
export const vpnClientsQueryRoot = ['vpn-clients'] as const;

/** After a change: the lists and the owner's plan usage (GET /me). */
export function invalidateVpnClients(queryClient: QueryClient) {
  return Promise.all(
    [vpnClientsQueryRoot, ['me']].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
  );
}
