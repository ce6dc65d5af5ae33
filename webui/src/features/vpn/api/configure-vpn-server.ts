import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { VpnServer, VpnServerSettings } from '../types';
import { vpnServerQueryKey } from './get-vpn-server';

/** Answers once OpenVPN serves: 409 for a port in use, 503 with OpenVPN's log when it does not start. */
export function configureVpnServer(settings: VpnServerSettings): Promise<VpnServer> {
  return apiRequest<VpnServer>('/vpn-server', { method: 'PUT', body: settings });
}

export function useConfigureVpnServer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: configureVpnServer,
    onSuccess: (server) => queryClient.setQueryData(vpnServerQueryKey, server),
  });
}
