import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { DnsZone } from '../types';
import { dnsQueryRoot } from './keys';

export const getZoneQueryKey = (name: string) => [...dnsQueryRoot, 'detail', name] as const;

export function getZone(name: string, signal?: AbortSignal): Promise<DnsZone> {
  return apiRequest<DnsZone>(`/dns-zones/${encodeURIComponent(name)}`, { signal });
}

export function useZone(name: string) {
  return useQuery({ queryKey: getZoneQueryKey(name), queryFn: ({ signal }) => getZone(name, signal) });
}
