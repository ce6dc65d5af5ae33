import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PhpSettings } from '../types';
import { domainsQueryRoot } from './list-domains';

export const getPhpSettingsQueryKey = (name: string) => [...domainsQueryRoot, 'php-settings', name] as const;

/** A PHP site's settings as they apply, and the highest value its plan allows for each. */
export function getPhpSettings(name: string, signal?: AbortSignal): Promise<PhpSettings> {
  return apiRequest<PhpSettings>(`/domains/${encodeURIComponent(name)}/php-settings`, { signal });
}

export function usePhpSettings(name: string, enabled = true) {
  return useQuery({
    queryKey: getPhpSettingsQueryKey(name),
    queryFn: ({ signal }) => getPhpSettings(name, signal),
    enabled,
  });
}
