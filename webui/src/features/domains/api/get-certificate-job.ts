import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { apiRequest } from '@/lib/api-client';
import { isOrderRunning, type CertificateJob } from '../types';
import { getCertificateQueryKey } from './get-certificate';
import { domainsQueryRoot } from './list-domains';

/** How often a running order's job is read again. */
export const ORDER_POLL_MS = 1000;

export const getCertificateJobQueryKey = (id: string) =>
  [...domainsQueryRoot, 'certificate-job', id] as const;

export function getCertificateJob(id: string, signal?: AbortSignal): Promise<CertificateJob> {
  return apiRequest<CertificateJob>(`/jobs/${encodeURIComponent(id)}`, { signal });
}

/**
 * A certificate order's job, read again every second while it runs (the event stream needs a
 * bearer header that EventSource cannot send). When it ends, the certificate is read again:
 * the record holds the outcome (what is installed, or the reason in the owner's words).
 */
export function useCertificateJob(name: string, id: string) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: getCertificateJobQueryKey(id),
    queryFn: ({ signal }) => getCertificateJob(id, signal),
    enabled: id !== '',
    refetchInterval: (q) => (q.state.data && !isOrderRunning(q.state.data) ? false : ORDER_POLL_MS),
  });
  const ended = query.data ? !isOrderRunning(query.data) : false;
  useEffect(() => {
    if (ended) void queryClient.invalidateQueries({ queryKey: getCertificateQueryKey(name) });
  }, [ended, name, queryClient]);
  return query;
}
