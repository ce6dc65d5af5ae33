import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { ServerOverview } from '../types';

// Other features invalidate ['server'] when they change what it counts.
export const getServerQueryKey = ['server'] as const;

/** Refreshed this often while the page is visible (React Query pauses in background tabs). */
export const SERVER_REFRESH_MS = 30_000;

export function getServer(signal?: AbortSignal): Promise<ServerOverview> {
  return apiRequest<ServerOverview>('/server', { signal });
}

export function useServer() {
  return useQuery({
    queryKey: getServerQueryKey,
    queryFn: ({ signal }) => getServer(signal),
    staleTime: 0,
    refetchInterval: SERVER_REFRESH_MS,
    refetchIntervalInBackground: false,
  });
}
