import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DomainZone } from '../types';
import { getDomainZoneQueryKey } from './get-domain-zone';
import { invalidateZones } from './invalidate';

export type CreateDomainZoneInput = {
  /** The domain's name: its zone is named after it. */
  name: string;
  /** Required when an administrator creates it. */
  account?: string;
};

/** A zone with the usual records, as `"dns_zone": true` makes with a new domain. 409: it exists. */
export function createDomainZone(input: CreateDomainZoneInput): Promise<DomainZone> {
  return apiRequest<DomainZone>('/dns-zones', {
    method: 'POST',
    body: { ...input, default_records: true },
  });
}

export function useCreateDomainZone() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createDomainZone,
    onSuccess: (zone) => {
      queryClient.setQueryData(getDomainZoneQueryKey(zone.name), zone);
      return invalidateZones(queryClient);
    },
  });
}
