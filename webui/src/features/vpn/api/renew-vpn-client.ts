import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { VpnClientCreated } from '../types';
import { invalidateVpnClients } from './keys';

/** A new profile, shown once; 409 more than 30 days before the certificate expires. */
export function renewVpnClient(id: string): Promise<VpnClientCreated> {
  return apiRequest<VpnClientCreated>(`/vpn-clients/${encodeURIComponent(id)}/renew`, { method: 'POST' });
}

export function useRenewVpnClient() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: renewVpnClient, onSuccess: () => invalidateVpnClients(queryClient) });
}
