import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PanelCertificate } from '../types';
import { panelCertificateQueryKey } from './get-panel-certificate';

/**
 * Orders the panel's certificate now. 409 says why not (no host name configured, the CA
 * refused) and the certificate served before stays; 503 when the worker has not finished in time.
 */
export function issuePanelCertificate(): Promise<PanelCertificate> {
  return apiRequest<PanelCertificate>('/server/certificate', { method: 'POST', body: {} });
}

export function useIssuePanelCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: issuePanelCertificate,
    onSuccess: (answer) => queryClient.setQueryData(panelCertificateQueryKey, answer),
    // A refusal or a timeout has changed the last attempt too.
    onError: () => queryClient.invalidateQueries({ queryKey: panelCertificateQueryKey }),
  });
}
