import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { apiRequest } from '@/lib/api-client';
import { isRunning, type Job } from '../types';
import { filesQueryRoot, invalidateFiles } from './keys';

/** How often a running archive or extraction is read again. */
export const JOB_POLL_MS = 1000;

export function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return apiRequest<Job>(`/jobs/${encodeURIComponent(id)}`, { signal });
}

/**
 * An archive or extraction job, read again every second while it runs (EventSource cannot
 * send the bearer token); when it ends the folders are read again and `onEnd` says how.
 */
export function useFollowJob(id: string, onEnd: (job: Job) => void) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: [...filesQueryRoot, 'job', id],
    queryFn: ({ signal }) => getJob(id, signal),
    refetchInterval: (q) => (q.state.data && !isRunning(q.state.data) ? false : JOB_POLL_MS),
  });
  const ended = query.data && !isRunning(query.data) ? query.data : null;
  // The latest onEnd, called once when the job ends (the caller's function changes each render).
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  });
  useEffect(() => {
    if (!ended) return;
    void invalidateFiles(queryClient);
    onEndRef.current(ended);
  }, [ended, queryClient]);
  return query;
}
