import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Page } from '@/types/api';

// The plan select needs every plan's name. Features do not import each other, so this is the
// accounts feature's own fetcher; its key sits under ['plans'] so plan changes refresh it.
const PAGE_SIZE = 200;
const MAX_PAGES = 10;

export const planChoicesQueryKey = ['plans', 'choices'] as const;

/** Every plan name, in name order (at most 2,000: a select is no place for more). */
export async function listPlanChoices(signal?: AbortSignal): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await apiRequest<Page<{ name: string }>>('/plans', {
      query: { limit: PAGE_SIZE, page_token: pageToken },
      signal,
    });
    names.push(...result.items.map((p) => p.name));
    if (!result.next_page_token) break;
    pageToken = result.next_page_token;
  }
  return names;
}

export function usePlanChoices() {
  return useQuery({ queryKey: planChoicesQueryKey, queryFn: ({ signal }) => listPlanChoices(signal) });
}
