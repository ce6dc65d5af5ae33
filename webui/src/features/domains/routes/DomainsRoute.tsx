import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { Alert, Button, EmptyState, LoadingState, PageHeader, Pagination, TextField } from '@/components/ui';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useDomains } from '../api/list-domains';
import { AddDomainDialog } from '../components/AddDomainDialog';
import { DomainsTable } from '../components/DomainsTable';
import type { DomainsArea } from '../types';

// One page on screen at a time: a thousand domains are twenty pages, never a thousand rows.
const PAGE_SIZE = 50;

export function DomainsRoute({ area }: { area: DomainsArea }) {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState('');
  const [adding, setAdding] = useState(false);
  const accountInput = area === 'admin' ? (params.get('account') ?? '') : '';
  const account = useDebouncedValue(accountInput.trim().toLowerCase());
  const q = useDebouncedValue(search.trim().toLowerCase());
  const pages = usePageTokens(`${account}\n${q}`);
  const domains = useDomains({
    account: account || undefined,
    q: q || undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  const data = domains.data;

  const setAccountFilter = (value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set('account', value);
        else next.delete('account');
        return next;
      },
      { replace: true },
    );

  const addButton = (label: string) => (
    <Button variant="primary" onClick={() => setAdding(true)}>
      {label}
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Domains"
        description={
          area === 'admin'
            ? 'Every website on the server, across all accounts.'
            : 'Your websites: each domain with its aliases and what serves it.'
        }
        actions={addButton('Add domain')}
      />

      <div className="toolbar">
        {area === 'admin' ? (
          <TextField
            label="Account"
            required={false}
            markOptional={false}
            placeholder="Any account"
            value={accountInput}
            onChange={(e) => setAccountFilter(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
          />
        ) : null}
        <TextField
          label="Search domains"
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

      {domains.isPending ? (
        <LoadingState label="Loading domains…" />
      ) : domains.isError ? (
        account && domains.error.status === 404 ? (
          <EmptyState title="No such account">There is no account named “{account}”.</EmptyState>
        ) : (
          <Alert
            tone="error"
            title="Could not load domains"
            action={<Button onClick={() => void domains.refetch()}>Try again</Button>}
          >
            {domains.error.message}
          </Alert>
        )
      ) : data && data.items.length > 0 ? (
        <>
          <DomainsTable domains={data.items} area={area} busy={domains.isPlaceholderData} />
          <Pagination
            label="Domains pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={domains.isFetching}
          />
        </>
      ) : q || account ? (
        <EmptyState title="No matching domains">
          {q ? `No domain name starts with “${q}”` : 'No domains'}
          {account ? ` for account ${account}` : ''}.
        </EmptyState>
      ) : (
        <EmptyState
          title="No domains yet"
          action={addButton(area === 'admin' ? 'Add a domain' : 'Add your first domain')}
        >
          A domain is a website: its name, any aliases, and what serves it (PHP, static files, an application
          or a redirect).
        </EmptyState>
      )}

      <AddDomainDialog open={adding} onClose={() => setAdding(false)} area={area} account={account} />
    </>
  );
}
