import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { panelCertificateQueryKey } from './get-panel-certificate';

/**
 * Orders the panel's certificate now: 202 with the order's job at once (the ACME worker runs
 * it; the certificate, read again while `issuing`, shows the outcome). 409 when no host name
 * is configured or an order is already under way; the certificate served before stays.
 */
export function issuePanelCertificate(): Promise<Schemas['Job']> {
  return apiRequest<Schemas['Job']>('/server/certificate', { method: 'POST', body: {} });
}

export function useIssuePanelCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: issuePanelCertificate,
    // The record is `issuing` now (or kept its refusal): read it again either way.
    onSettled: () => queryClient.invalidateQueries({ queryKey: panelCertificateQueryKey }),
  });
}
