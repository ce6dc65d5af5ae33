import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Certificate, CertificateSettings } from '../types';
import { getCertificateQueryKey } from './get-certificate';

/** Turns the redirect to HTTPS or HSTS on or off; 404 before a certificate is installed. */
export function updateCertificate(name: string, settings: CertificateSettings): Promise<Certificate> {
  return apiRequest<Certificate>(`/domains/${encodeURIComponent(name)}/certificate`, {
    method: 'PATCH',
    body: settings,
  });
}

export function useUpdateCertificate(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: CertificateSettings) => updateCertificate(name, settings),
    onSuccess: (certificate) => queryClient.setQueryData(getCertificateQueryKey(name), certificate),
  });
}
