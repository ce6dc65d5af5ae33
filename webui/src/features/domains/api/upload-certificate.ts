import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Certificate, CertificateUpload } from '../types';
import { getCertificateQueryKey } from './get-certificate';

/**
 * Installs a certificate bought elsewhere with its key (base64 DER, as the API takes them);
 * 400 names `key` or `chain` when the agent refuses them (mismatch, names, expired, weak key).
 */
export function uploadCertificate(name: string, body: CertificateUpload): Promise<Certificate> {
  return apiRequest<Certificate>(`/domains/${encodeURIComponent(name)}/certificate/upload`, {
    method: 'POST',
    body,
  });
}

export function useUploadCertificate(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CertificateUpload) => uploadCertificate(name, body),
    onSuccess: (certificate) => queryClient.setQueryData(getCertificateQueryKey(name), certificate),
  });
}
