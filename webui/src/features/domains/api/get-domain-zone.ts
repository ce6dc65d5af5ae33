import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DomainZone } from '../types';

// A domain's zone is named after it: 404 means it has none. Keyed like the dns feature's detail
// query (the same resource and shape), so adding or deleting the zone there shows here too.
export const getDomainZoneQueryKey = (name: string) => ['dns-zones', 'detail', name] as const;

export function getDomainZone(name: string, signal?: AbortSignal): Promise<DomainZone> {
  return apiRequest<DomainZone>(`/dns-zones/${encodeURIComponent(name)}`, { signal });
}

export function useDomainZone(name: string) {
  return useQuery({
    queryKey: getDomainZoneQueryKey(name),
    queryFn: ({ signal }) => getDomainZone(name, signal),
  });
}
