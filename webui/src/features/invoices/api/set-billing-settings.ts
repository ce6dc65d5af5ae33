import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { BillingSettings } from '../types';
import { billingSettingsQueryKey } from './get-billing-settings';

/** Invoices made from now on copy the currency and rate; those already made keep theirs. */
export function setBillingSettings(settings: BillingSettings): Promise<BillingSettings> {
  return apiRequest<BillingSettings>('/billing-settings', { method: 'PUT', body: settings });
}

export function useSetBillingSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setBillingSettings,
    onSuccess: (saved) => queryClient.setQueryData(billingSettingsQueryKey, saved),
  });
}
