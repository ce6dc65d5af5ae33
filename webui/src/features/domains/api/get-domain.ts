import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Domain } from '../types';
import { domainsQueryRoot } from './list-domains';
import { refetchWhileChanging } from './refetch';

export const getDomainQueryKey = (name: string) => [...domainsQueryRoot, 'detail', name] as const;

export function getDomain(name: string, signal?: AbortSignal): Promise<Domain> {
  return apiRequest<Domain>(`/domains/${encodeURIComponent(name)}`, { signal });
}

export function useDomain(name: string) {
  return useQuery({
    queryKey: getDomainQueryKey(name),
    queryFn: ({ signal }) => getDomain(name, signal),
    refetchInterval: (query) => refetchWhileChanging(query.state.data ? [query.state.data] : []),
  });
}
