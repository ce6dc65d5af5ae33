import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateVpnClients } from './keys';

export function revokeVpnClient(id: string): Promise<void> {
  return apiRequest<void>(`/vpn-clients/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useRevokeVpnClient() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: revokeVpnClient, onSuccess: () => invalidateVpnClients(queryClient) });
}
