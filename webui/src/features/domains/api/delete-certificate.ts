import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { getCertificateQueryKey } from './get-certificate';

/** HTTPS off: the key, the certificate and its renewals go. */
export function deleteCertificate(name: string): Promise<void> {
  return apiRequest<void>(`/domains/${encodeURIComponent(name)}/certificate`, { method: 'DELETE' });
}

export function useDeleteCertificate(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => deleteCertificate(name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: getCertificateQueryKey(name) }),
  });
}
