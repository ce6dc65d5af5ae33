import { useState } from 'react';
import { Alert, Button, EmptyState, LoadingState, PageHeader, Pagination, TextField } from '@/components/ui';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useAccounts } from '../api/list-accounts';
import { AccountsTable } from '../components/AccountsTable';
import { CreateAccountDialog } from '../components/CreateAccountDialog';
import { ResellerTotalsNote } from '../components/ResellerTotalsNote';

const PAGE_SIZE = 50;

export function AccountsRoute() {
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const q = useDebouncedValue(search.trim().toLowerCase());
  const pages = usePageTokens(q);

  const accounts = useAccounts({ q, pageToken: pages.pageToken, limit: PAGE_SIZE });
  const data = accounts.data;

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Hosting accounts: one system user each, with its own home, sites and databases."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create account
          </Button>
        }
      />

      <ResellerTotalsNote />

      <div className="toolbar">
        <TextField
          label="Search accounts"
          type="search"
          required={false}
          markOptional={false}
          placeholder="Name starts with…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoCapitalize="off"
          spellCheck={false}
        />
      </div>

      {accounts.isPending ? (
        <LoadingState label="Loading accounts…" />
      ) : accounts.isError ? (
        <Alert
          tone="error"
          title="Could not load accounts"
          action={<Button onClick={() => void accounts.refetch()}>Try again</Button>}
        >
          {accounts.error.message}
        </Alert>
      ) : data && data.items.length > 0 ? (
        <>
          <AccountsTable accounts={data.items} busy={accounts.isPlaceholderData} />
          <Pagination
            label="Accounts pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={accounts.isFetching}
          />
        </>
      ) : q ? (
        <EmptyState title="No matching accounts">No account name starts with “{q}”.</EmptyState>
      ) : (
        <EmptyState
          title="No accounts yet"
          action={
            <Button variant="primary" onClick={() => setCreating(true)}>
              Create the first account
            </Button>
          }
        >
          Each account is a system user that hosts its owner's sites, databases and mail.
        </EmptyState>
      )}

      <CreateAccountDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
