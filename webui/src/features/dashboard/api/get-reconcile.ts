import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { ReconcileState } from '../types';

export const getReconcileQueryKey = ['reconcile'] as const;

export function getReconcile(signal?: AbortSignal): Promise<ReconcileState> {
  return apiRequest<ReconcileState>('/reconcile', { signal });
}

/** The last report (the one made at the gateway's start, until someone checks again). */
export function useReconcile() {
  return useQuery({
    queryKey: getReconcileQueryKey,
    queryFn: ({ signal }) => getReconcile(signal),
    // While the start's run is under way, look again until its report is there.
    refetchInterval: (query) => (query.state.data?.running ? 2_000 : false),
  });
}
