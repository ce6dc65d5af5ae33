import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every cron jobs query. */
export const cronJobsQueryRoot = ['cron-jobs'] as const;

/** After a change: the lists, the owner's plan usage (GET /me) and the administrator's counts. */
export function invalidateCronJobs(queryClient: QueryClient) {
  return Promise.all(
    [cronJobsQueryRoot, ['me'], ['server']].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
  );
}
