import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DnsZone } from '../types';
import { invalidateZones } from './keys';

export type CreateZoneInput = {
  /** A domain or alias of the account; field error `name` otherwise. */
  name: string;
  /** Required when an administrator creates it. */
  account?: string;
  /** A, MX and SPF records to start with (the default); false for an empty zone. */
  default_records?: boolean;
};

/** 409 when the zone exists already. */
export function createZone(input: CreateZoneInput): Promise<DnsZone> {
  return apiRequest<DnsZone>('/dns-zones', { method: 'POST', body: input });
}

export function useCreateZone() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createZone, onSuccess: () => invalidateZones(queryClient) });
}
