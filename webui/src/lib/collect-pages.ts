import type { Page } from '@/types/api';

/** Items of a paged list gathered for a choice (a select, a checkbox list). */
export type Collected<T> = {
  items: T[];
  /** False when the walk stopped at `maxPages` and more exist. */
  complete: boolean;
};

/**
 * Walks a paged list at the largest page size for a form's choices. Bounded, so a huge list
 * costs a few requests, not hundreds: the caller says what it does when `complete` is false.
 */
export async function collectPages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
  maxPages = 5,
): Promise<Collected<T>> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await fetchPage(token);
    items.push(...answer.items);
    if (!answer.next_page_token) return { items, complete: true };
    token = answer.next_page_token;
  }
  return { items, complete: false };
}

/** The API's largest page. */
export const MAX_PAGE_SIZE = 200;
