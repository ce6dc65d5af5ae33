import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DnsZone } from '../types';
import { invalidateZones } from './keys';
import type { Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type CreateZoneInput = Schemas['DnsZoneCreate'];

/** 409 when the zone exists already. */
export function createZone(input: CreateZoneInput): Promise<DnsZone> {
  return apiRequest<DnsZone>('/dns-zones', { method: 'POST', body: input });
}

export function useCreateZone() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createZone, onSuccess: () => invalidateZones(queryClient) });
}
