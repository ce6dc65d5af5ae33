import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PhpSettings, PhpSettingsUpdate } from '../types';
import { getPhpSettingsQueryKey } from './get-php-settings';

/** 422 above the plan's bound (or a post size below the upload size), with the field named. */
export function updatePhpSettings(name: string, changes: PhpSettingsUpdate): Promise<PhpSettings> {
  return apiRequest<PhpSettings>(`/domains/${encodeURIComponent(name)}/php-settings`, {
    method: 'PATCH',
    body: changes,
  });
}

export function useUpdatePhpSettings(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: PhpSettingsUpdate) => updatePhpSettings(name, changes),
    onSuccess: (saved) => queryClient.setQueryData(getPhpSettingsQueryKey(name), saved),
  });
}
