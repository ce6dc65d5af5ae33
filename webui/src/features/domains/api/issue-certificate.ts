import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Certificate } from '../types';
import { getCertificateQueryKey } from './get-certificate';
import type { Schemas } from '@/types/api';

export type IssueCertificateInput = { name: string } & Schemas['CertificateIssue'];

/**
 * Issues (or renews) the certificate now, for the site's name and aliases; 409 says why the
 * CA or the pre-flight check refused, and the record keeps that reason as its last error.
 */
export function issueCertificate({ name, ...body }: IssueCertificateInput): Promise<Certificate> {
  return apiRequest<Certificate>(`/domains/${encodeURIComponent(name)}/certificate`, {
    method: 'POST',
    body,
  });
}

export function useIssueCertificate(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: issueCertificate,
    onSuccess: (certificate) => queryClient.setQueryData(getCertificateQueryKey(name), certificate),
    // A refusal is recorded as the last attempt's error: show it from the record too.
    onError: () => queryClient.invalidateQueries({ queryKey: getCertificateQueryKey(name) }),
  });
}
