import { useState } from 'react';
import { Button, EmptyState, LoadingState, PageHeader, Pagination, TextField, toast } from '@/components/ui';
import { ListLoadError } from '@/components/ListLoadError';
import type { Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useInvoices } from '../api/list-invoices';
import { useRunInvoices } from '../api/run-invoices';
import { BillingSettingsDialog } from '../components/BillingSettingsDialog';
import { ExportInvoicesForm } from '../components/ExportInvoicesForm';
import { InvoicesTable } from '../components/InvoicesTable';

const PAGE_SIZE = 50;

function RunButton() {
  const run = useRunInvoices();
  return (
    <Button
      variant="primary"
      pending={run.isPending}
      onClick={() =>
        run.mutate(undefined, {
          onSuccess: ({ made }) =>
            toast.success(
              made ? `${made} draft invoice${made === 1 ? '' : 's'} made.` : 'No new invoices to make.',
            ),
          onError: (error) => toast.error(error.message),
        })
      }
    >
      Make this month’s invoices
    </Button>
  );
}

/** Administrators only: owners are never offered the settings, nor is the API asked for them. */
function AdminActions() {
  const [settings, setSettings] = useState(false);
  return (
    <>
      <Button onClick={() => setSettings(true)}>Billing settings</Button>
      <RunButton />
      <BillingSettingsDialog open={settings} onClose={() => setSettings(false)} />
    </>
  );
}

export function InvoicesRoute({ area }: { area: Area }) {
  const filter = useAccountFilter(area);
  const pages = usePageTokens(filter.account);
  const invoices = useInvoices({
    account: filter.account || undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  const data = invoices.data;

  return (
    <>
      <PageHeader
        title="Invoices"
        description={
          area === 'admin'
            ? 'Drafts are made at each month’s start; issuing one gives it its number. Payments are recorded here, not taken.'
            : 'Your hosting invoices, to download as PDF.'
        }
        actions={area === 'admin' ? <AdminActions /> : undefined}
      />
      {area === 'admin' ? (
        <>
          <ExportInvoicesForm />
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
        </>
      ) : null}

      {invoices.isPending ? (
        <LoadingState label="Loading invoices…" />
      ) : invoices.isError ? (
        <ListLoadError
          what="invoices"
          account={filter.account}
          error={invoices.error}
          retry={() => void invoices.refetch()}
        />
      ) : data && data.items.length > 0 ? (
        <>
          <InvoicesTable invoices={data.items} area={area} busy={invoices.isPlaceholderData} />
          <Pagination
            label="Invoices pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={invoices.isFetching}
          />
        </>
      ) : (
        <EmptyState title="No invoices yet">
          {area === 'admin'
            ? 'Give plans a price (Plans, then Billing) and invoices are made at the start of each month.'
            : 'Invoices appear here once they are issued.'}
        </EmptyState>
      )}
    </>
  );
}
