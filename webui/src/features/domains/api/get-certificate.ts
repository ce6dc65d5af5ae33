import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Certificate } from '../types';
import { domainsQueryRoot } from './list-domains';

const POLL_MS = 3000;

export const getCertificateQueryKey = (name: string) => [...domainsQueryRoot, 'certificate', name] as const;

/** The website's certificate: what it covers, until when, and the last attempt (404: no such site). */
export function getCertificate(name: string, signal?: AbortSignal): Promise<Certificate> {
  return apiRequest<Certificate>(`/domains/${encodeURIComponent(name)}/certificate`, { signal });
}

export function useCertificate(name: string) {
  return useQuery({
    queryKey: getCertificateQueryKey(name),
    queryFn: ({ signal }) => getCertificate(name, signal),
    // A renewal in the background (or another tab's issue) shows as "issuing": follow it.
    refetchInterval: (query) => (query.state.data?.status === 'issuing' ? POLL_MS : false),
  });
}
