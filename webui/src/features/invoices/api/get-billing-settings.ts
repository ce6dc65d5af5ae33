import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { BillingSettings } from '../types';

export const billingSettingsQueryKey = ['billing-settings'] as const;

/** Administrators only. */
export function getBillingSettings(signal?: AbortSignal): Promise<BillingSettings> {
  return apiRequest<BillingSettings>('/billing-settings', { signal });
}

export function useBillingSettings() {
  return useQuery({
    queryKey: billingSettingsQueryKey,
    queryFn: ({ signal }) => getBillingSettings(signal),
  });
}
