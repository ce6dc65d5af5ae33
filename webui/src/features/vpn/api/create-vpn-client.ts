import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import type { VpnClientCreated } from '../types';
import { invalidateVpnClients } from './keys';

/** Administrators name the account it is for; left out, a client of the administrator's own. */
export type CreateVpnClientInput = Schemas['VpnClientCreate'];

/** 403 "Plan limit reached" when the plan allows no (more) VPN clients. */
export function createVpnClient(input: CreateVpnClientInput): Promise<VpnClientCreated> {
  return apiRequest<VpnClientCreated>('/vpn-clients', { method: 'POST', body: input });
}

export function useCreateVpnClient() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createVpnClient, onSuccess: () => invalidateVpnClients(queryClient) });
}
