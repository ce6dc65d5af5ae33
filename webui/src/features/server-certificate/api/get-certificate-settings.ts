import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { CertificateAuthority } from '../types';

export const certificateSettingsQueryKey = ['certificate-settings'] as const;

export function getCertificateSettings(signal?: AbortSignal): Promise<CertificateAuthority> {
  return apiRequest<CertificateAuthority>('/certificate-settings', { signal });
}

export function useCertificateSettings() {
  return useQuery({
    queryKey: certificateSettingsQueryKey,
    queryFn: ({ signal }) => getCertificateSettings(signal),
  });
}
