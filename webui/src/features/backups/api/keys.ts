import type { QueryClient } from '@tanstack/react-query';

/** Prefix of every backups query. */
export const backupsQueryRoot = ['backups'] as const;
/** Prefix of every jobs query. */
export const jobsQueryRoot = ['jobs'] as const;

/** After a job starts or ends: the backups and the jobs. */
export function invalidateBackups(queryClient: QueryClient) {
  return Promise.all(
    [backupsQueryRoot, jobsQueryRoot].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
  );
}
