import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { ListLoadError } from '@/components/ListLoadError';
import { EmptyState, LoadingState, Pagination, TextField } from '@/components/ui';
import type { ApiError } from '@/lib/api-error';
import type { usePageTokens } from '@/lib/use-page-tokens';
import type { AccountFilter } from '@/lib/use-account-filter';
import type { Page } from '@/types/api';

type PagedListProps<T> = {
  /** Plural, lower case: "cron jobs". */
  what: string;
  /** The same, capitalised, for the pager's label: "Cron jobs". */
  title: string;
  /** An administrator's account filter ('' for none). */
  account: string;
  query: UseQueryResult<Page<T>, ApiError>;
  pages: ReturnType<typeof usePageTokens>;
  /** The page's items as a table; `busy` while the previous page still shows. */
  renderTable: (items: T[], busy: boolean) => ReactNode;
  /** What an empty list shows when no filter is set: what the thing is, and how to add one. */
  empty: ReactNode;
};

/**
 * A list answered a page at a time (`{items, next_page_token}`): loading, its error, the table
 * with its pager, or why it is empty. The list routes (cron jobs, DNS zones, databases and their
 * users) differ only in the words and the table.
 */
export function PagedList<T>({ what, title, account, query, pages, renderTable, empty }: PagedListProps<T>) {
  const data = query.data;
  if (query.isPending) return <LoadingState label={`Loading ${what}…`} />;
  if (query.isError) {
    return (
      <ListLoadError what={what} account={account} error={query.error} retry={() => void query.refetch()} />
    );
  }
  if (data && data.items.length > 0) {
    return (
      <>
        {renderTable(data.items, query.isPlaceholderData)}
        <Pagination
          label={`${title} pages`}
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={Boolean(data.next_page_token)}
          onPrevious={pages.previous}
          onNext={() => pages.next(data.next_page_token)}
          busy={query.isFetching}
        />
      </>
    );
  }
  if (account) {
    return (
      <EmptyState title={`No ${what}`}>
        Account {account} has no {what}.
      </EmptyState>
    );
  }
  return <>{empty}</>;
}

/** An administrator's "Account" filter above a list; owners see only their own, and no filter. */
export function AccountFilterField({ filter }: { filter: AccountFilter }) {
  return (
    <div className="toolbar">
      <TextField
        label="Account"
        required={false}
        markOptional={false}
        placeholder="Any account"
        value={filter.input}
        onChange={(e) => filter.setInput(e.target.value)}
        autoCapitalize="off"
        spellCheck={false}
      />
    </div>
  );
}
