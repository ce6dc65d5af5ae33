import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Domain } from '../types';
import { getDomainQueryKey } from './get-domain';
import { domainsQueryRoot } from './list-domains';

/** Administrators: the site stops being served until unsuspended. */
export function suspendDomain(name: string): Promise<Domain> {
  return apiRequest<Domain>(`/domains/${encodeURIComponent(name)}/suspend`, { method: 'POST' });
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
