import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { VpnServer } from '../types';

/** The server's settings as the agent keeps them (administrators only). */
export const vpnServerQueryKey = ['vpn-server'] as const;

export function getVpnServer(signal?: AbortSignal): Promise<VpnServer> {
  return apiRequest<VpnServer>('/vpn-server', { signal });
}

export function useVpnServer() {
  return useQuery({ queryKey: vpnServerQueryKey, queryFn: ({ signal }) => getVpnServer(signal) });
}
