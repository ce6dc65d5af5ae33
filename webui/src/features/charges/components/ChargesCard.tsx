import { useMemo, useState } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  LoadingState,
  Pagination,
  Table,
  type Column,
} from '@/components/ui';
import type { Area } from '@/config/paths';
import { formatDateTime } from '@/lib/format';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useCharges } from '../api/list-charges';
import type { Charge } from '../types';
import { AddChargeDialog } from './AddChargeDialog';
import { RemoveChargeDialog } from './RemoveChargeDialog';

const PAGE_SIZE = 50;

function StateBadge({ charge }: { charge: Charge }) {
  return charge.invoice === null ? <Badge tone="info">Next invoice</Badge> : <Badge>Billed</Badge>;
}

function columnsFor(area: Area, onRemove: (charge: Charge) => void): Column<Charge>[] {
  const columns: Column<Charge>[] = [
    { key: 'description', header: 'Description', cell: (c) => c.description },
    // The exact string the API sends ("25.00"), never a number formatted again.
    { key: 'amount', header: 'Amount', align: 'end', cell: (c) => c.amount },
    { key: 'added', header: 'Added', secondary: true, cell: (c) => formatDateTime(c.created_at) },
    { key: 'state', header: 'State', cell: (c) => <StateBadge charge={c} /> },
  ];
  if (area === 'panel') return columns;
  return [
    ...columns,
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      // Only a pending charge can be removed: an invoice keeps the lines it billed.
      cell: (c) =>
        c.invoice === null ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Remove charge ${c.description}`}
            onClick={() => onRemove(c)}
          >
            Remove
          </Button>
        ) : null,
    },
  ];
}

type ChargesCardProps = {
  account: string;
  /** Administrators add and remove charges; an owner reads its own. */
  area: Area;
};

/** The account's one-off charges: a pending one goes on its next invoice; a billed one is on an invoice already. */
export function ChargesCard({ account, area }: ChargesCardProps) {
  const pages = usePageTokens(account);
  const charges = useCharges({
    // Owners get their own without naming it; the filter is an administrator's.
    account: area === 'admin' ? account : undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Charge | null>(null);
  const columns = useMemo(() => columnsFor(area, setRemoving), [area]);
  const data = charges.data;

  return (
    <Card
      title="One-off charges"
      actions={area === 'admin' ? <Button onClick={() => setAdding(true)}>Add charge</Button> : undefined}
    >
      <p className="muted">
        {area === 'admin'
          ? 'A set-up fee, an hour of work: each goes on the account’s next invoice as a line of its own.'
          : 'Pending charges go on your next invoice, after your plan’s lines.'}
      </p>
      {charges.isPending ? (
        <LoadingState label="Loading charges…" />
      ) : charges.isError ? (
        <ListLoadError what="charges" error={charges.error} retry={() => void charges.refetch()} />
      ) : data && data.items.length > 0 ? (
        <>
          <Table
            caption="Charges"
            columns={columns}
            rows={newestFirst(data.items)}
            rowKey={(c) => c.id}
            busy={charges.isPlaceholderData}
          />
          <Pagination
            label="One-off charges pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={charges.isFetching}
          />
        </>
      ) : (
        <EmptyState title="No charges waiting">
          {area === 'admin'
            ? 'No charges wait for this account’s next invoice.'
            : 'No charges wait for your next invoice.'}
        </EmptyState>
      )}
      {area === 'admin' ? (
        <>
          <AddChargeDialog account={account} open={adding} onClose={() => setAdding(false)} />
          <RemoveChargeDialog charge={removing} onClose={() => setRemoving(null)} />
        </>
      ) : null}
    </Card>
  );
}

// The gateway pages by the charges' ids, not their dates: a page reads best newest first.
function newestFirst(items: readonly Charge[]): Charge[] {
  return [...items].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}
