import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page, Plan } from '@/types/api';

/**
 * Prefix of every plans query; mutations invalidate it as a whole. Other features that show
 * plans (the account form's plan choice) key their queries under it too, so they refresh.
 */
export const plansQueryRoot = ['plans'] as const;

export type ListPlansParams = { pageToken?: string | undefined; limit?: number };

export const listPlansQueryKey = (params: ListPlansParams) => [...plansQueryRoot, 'list', params] as const;

/** In name order. */
export function listPlans(params: ListPlansParams, signal?: AbortSignal): Promise<Page<Plan>> {
  return apiRequest<Page<Plan>>('/plans', {
    query: { page_token: params.pageToken, limit: params.limit },
    signal,
  });
}

export function usePlans(params: ListPlansParams) {
  return useQuery({
    queryKey: listPlansQueryKey(params),
    queryFn: ({ signal }) => listPlans(params, signal),
    placeholderData: keepPreviousData,
  });
}
