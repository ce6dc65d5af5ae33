import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';

export const phpVersionsQueryKey = ['php-versions'] as const;

/** Installed PHP versions, newest first. */
export async function listPhpVersions(signal?: AbortSignal): Promise<string[]> {
  const answer = await apiRequest<{ versions: string[] }>('/php-versions', { signal });
  return answer.versions;
}

export function usePhpVersions() {
  return useQuery({
    queryKey: phpVersionsQueryKey,
    queryFn: ({ signal }) => listPhpVersions(signal),
    // Installing a PHP version is rare; a few minutes' staleness is fine.
    staleTime: 5 * 60_000,
  });
}
