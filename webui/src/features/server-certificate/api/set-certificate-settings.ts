import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CertificateAuthority } from '../types';
import { certificateSettingsQueryKey } from './get-certificate-settings';

/** Orders from now on use these; certificates already installed are kept. */
export function setCertificateSettings(settings: CertificateAuthority): Promise<CertificateAuthority> {
  return apiRequest<CertificateAuthority>('/certificate-settings', { method: 'PUT', body: settings });
}

export function useSetCertificateSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setCertificateSettings,
    onSuccess: (saved) => queryClient.setQueryData(certificateSettingsQueryKey, saved),
  });
}
