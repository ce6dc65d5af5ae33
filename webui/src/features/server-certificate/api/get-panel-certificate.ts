import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PanelCertificate } from '../types';

export const panelCertificateQueryKey = ['panel-certificate'] as const;

// While the worker orders one, the answer changes on its own: look again every few seconds.
const ISSUING_POLL_MS = 5000;

export function getPanelCertificate(signal?: AbortSignal): Promise<PanelCertificate> {
  return apiRequest<PanelCertificate>('/server/certificate', { signal });
}

export function usePanelCertificate() {
  return useQuery({
    queryKey: panelCertificateQueryKey,
    queryFn: ({ signal }) => getPanelCertificate(signal),
    refetchInterval: (query) => (query.state.data?.status === 'issuing' ? ISSUING_POLL_MS : false),
  });
}
