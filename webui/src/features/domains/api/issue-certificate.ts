import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CertificateJob } from '../types';
import { getCertificateQueryKey } from './get-certificate';
import type { Schemas } from '@/types/api';

export type IssueCertificateInput = { name: string } & Schemas['CertificateIssue'];

/**
 * Orders the certificate now, for the site's name and aliases: 202 with the order's job at
 * once (the card follows it); 409 names the order already under way (`job_id`). The outcome
 * lands in the certificate's record (its last error says why the CA or pre-flight refused).
 */
export function issueCertificate({ name, ...body }: IssueCertificateInput): Promise<CertificateJob> {
  return apiRequest<CertificateJob>(`/domains/${encodeURIComponent(name)}/certificate`, {
    method: 'POST',
    body,
  });
}

export function useIssueCertificate(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: issueCertificate,
    // Either way the record changed (issuing, with the job under way): read it again.
    onSettled: () => queryClient.invalidateQueries({ queryKey: getCertificateQueryKey(name) }),
  });
}
