import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CertificateJob } from '../types';
import { getCertificateQueryKey } from './get-certificate';
import { getCertificateJobQueryKey } from './get-certificate-job';

/**
 * Stops the order: a queued one at once, a running one at its next stage, before anything is
 * installed. The answer is the job once it has ended (or still running after 30 s, to stop at
 * its next stage); the record then says the order was cancelled.
 */
export function cancelCertificateOrder(id: string): Promise<CertificateJob> {
  return apiRequest<CertificateJob>(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}

export function useCancelCertificateOrder(name: string, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => cancelCertificateOrder(id),
    onSuccess: (job) => {
      queryClient.setQueryData(getCertificateJobQueryKey(id), job);
      return queryClient.invalidateQueries({ queryKey: getCertificateQueryKey(name) });
    },
  });
}
