import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { apiRequest } from '@/lib/api-client';
import { isRunning, type Job } from '../types';
import { invalidateBackups, jobsQueryRoot } from './keys';

/** How often a running job is read again. */
export const JOB_POLL_MS = 1000;

export const getJobQueryKey = (id: string) => [...jobsQueryRoot, 'one', id] as const;

export function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return apiRequest<Job>(`/jobs/${encodeURIComponent(id)}`, { signal });
}

/**
 * A job, read again every second while it runs (the event stream needs a bearer header that
 * EventSource cannot send). When it ends, the backups list is read again.
 */
export function useJob(id: string) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: getJobQueryKey(id),
    queryFn: ({ signal }) => getJob(id, signal),
    refetchInterval: (q) => (q.state.data && !isRunning(q.state.data) ? false : JOB_POLL_MS),
  });
  const ended = query.data ? !isRunning(query.data) : false;
  useEffect(() => {
    if (ended) void invalidateBackups(queryClient);
  }, [ended, queryClient]);
  return query;
}
