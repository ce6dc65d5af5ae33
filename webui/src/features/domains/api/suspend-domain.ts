import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Domain } from '../types';
import { getDomainQueryKey } from './get-domain';
import { domainsQueryRoot } from './list-domains';

export type SuspendDomainInput = { name: string; reason?: string };

/** The site stops being served until unsuspended (an administrator's suspension: by one only). */
export function suspendDomain({ name, reason }: SuspendDomainInput): Promise<Domain> {
  return apiRequest<Domain>(`/domains/${encodeURIComponent(name)}/suspend`, {
    method: 'POST',
    body: reason ? { reason } : {},
  });
}

export function useSuspendDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: suspendDomain,
    onSuccess: (domain) => {
      queryClient.setQueryData(getDomainQueryKey(domain.name), domain);
      return queryClient.invalidateQueries({ queryKey: domainsQueryRoot });
    },
  });
}
