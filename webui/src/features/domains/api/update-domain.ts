import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Backend, Domain } from '../types';
import { getDomainQueryKey } from './get-domain';
import { invalidateDomains } from './invalidate';

/** Only the members present change; `aliases` replaces the whole list. */
export type UpdateDomainInput = { aliases?: string[]; backend?: Backend };

export function updateDomain(name: string, input: UpdateDomainInput): Promise<Domain> {
  return apiRequest<Domain>(`/domains/${encodeURIComponent(name)}`, { method: 'PATCH', body: input });
}

export function useUpdateDomain(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateDomainInput) => updateDomain(name, input),
    onSuccess: (domain) => {
      queryClient.setQueryData(getDomainQueryKey(name), domain);
      return invalidateDomains(queryClient);
    },
  });
}
