import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';
import type { CronJob } from '../types';
import { cronJobsQueryRoot } from './keys';

export type ListCronJobsParams = {
  /** Administrators only: one account's jobs. */
  account?: string | undefined;
  pageToken?: string | undefined;
  limit?: number;
};

export const listCronJobsQueryKey = (params: ListCronJobsParams) =>
  [...cronJobsQueryRoot, 'list', params] as const;

export function listCronJobs(params: ListCronJobsParams, signal?: AbortSignal): Promise<Page<CronJob>> {
  return apiRequest<Page<CronJob>>('/cron-jobs', {
    query: { account: params.account, page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function useCronJobs(params: ListCronJobsParams) {
  return useQuery({
    queryKey: listCronJobsQueryKey(params),
    queryFn: ({ signal }) => listCronJobs(params, signal),
    placeholderData: keepPreviousData,
  });
}
