import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Domain } from '../types';
import { invalidateDomains, invalidateZones } from './invalidate';
import type { Schemas } from '@/types/api';

/** The request body, as the API's document states it (generated types). */
export type CreateDomainInput = Schemas['DomainCreate'];

/** 403 "Plan limit reached" when the plan allows no more; 409 when the name is served already. */
export function createDomain(input: CreateDomainInput): Promise<Domain> {
  return apiRequest<Domain>('/domains', { method: 'POST', body: input });
}

export function useCreateDomain() {
  const queryClient = useQueryClient();
  const invalidate = (input: CreateDomainInput) =>
    Promise.all([invalidateDomains(queryClient), input.dns_zone ? invalidateZones(queryClient) : null]);
  return useMutation({
    mutationFn: createDomain,
    onSuccess: (_domain, input) => invalidate(input),
    // The site is made before its zone: when the zone fails, the domain exists all the same.
    onError: (_error, input) => (input.dns_zone ? invalidate(input) : undefined),
  });
}
