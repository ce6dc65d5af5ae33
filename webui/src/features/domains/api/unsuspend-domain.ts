import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Domain } from '../types';
import { getDomainQueryKey } from './get-domain';
import { domainsQueryRoot } from './list-domains';

export function unsuspendDomain(name: string): Promise<Domain> {
  return apiRequest<Domain>(`/domains/${encodeURIComponent(name)}/unsuspend`, { method: 'POST' });
}

export function useUnsuspendDomain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: unsuspendDomain,
    onSuccess: (domain) => {
      queryClient.setQueryData(getDomainQueryKey(domain.name), domain);
      return queryClient.invalidateQueries({ queryKey: domainsQueryRoot });
    },
  });
}
