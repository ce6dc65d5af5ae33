import { useMemo } from 'react';
import { Badge, Button, Table, toast, type BadgeTone, type Column } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useChangeInvoice, type InvoiceAction } from '../api/change-invoice';
import { useDownloadCreditNote } from '../api/download-credit-note';
import { useDownloadInvoicePdf } from '../api/download-invoice-pdf';
import type { Invoice, InvoiceStatus } from '../types';

const STATUS: Record<InvoiceStatus, { label: string; tone: BadgeTone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  issued: { label: 'Issued', tone: 'info' },
  paid: { label: 'Paid', tone: 'success' },
  void: { label: 'Void', tone: 'warning' },
};
// What an administrator may do next, by status (docs/invoices.md: draft -> issued -> paid/void).
const NEXT: Record<InvoiceStatus, readonly { action: InvoiceAction; label: string }[]> = {
  draft: [{ action: 'issue', label: 'Issue' }],
  issued: [
    { action: 'pay', label: 'Mark paid' },
    { action: 'void', label: 'Void' },
  ],
  paid: [],
  void: [],
};
const DONE: Record<InvoiceAction, string> = { issue: 'issued', pay: 'marked paid', void: 'void' };

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** The period as the days it covers: its end is the start of the next period (exclusive). */
export function periodLabel(invoice: Invoice): string {
  const last = new Date(new Date(invoice.period_end).getTime() - 1);
  return `${day.format(new Date(invoice.period_start))} – ${day.format(last)}`;
}

/** Money stays the exact string the API sends ("28.23"); only the currency is added. */
export function moneyLabel(amount: string, currency: string): string {
  return `${amount} ${currency}`;
}

function nameOf(invoice: Invoice): string {
  return invoice.number ?? `draft for ${invoice.account}`;
}

type Handlers = {
  download: (invoice: Invoice) => void;
  downloadCredit: (invoice: Invoice) => void;
  change: (invoice: Invoice, action: InvoiceAction) => void;
  busy: boolean;
};

function columnsFor(area: Area, handlers: Handlers): Column<Invoice>[] {
  return [
    { key: 'number', header: 'Number', cell: (i) => i.number ?? <em>Draft</em> },
    ...(area === 'admin' ? [{ key: 'account', header: 'Account', cell: (i: Invoice) => i.account }] : []),
    { key: 'period', header: 'Period', secondary: true, cell: periodLabel },
    {
      key: 'total',
      header: 'Total',
      align: 'end',
      cell: (i) => (
        <span className="cell-stack">
          {moneyLabel(i.gross, i.currency)}
          <span className="cell-sub">
            {i.reverse_charge ? `net ${i.net}, reverse charge` : `net ${i.net}, tax ${i.tax_rate}%`}
          </span>
        </span>
      ),
    },
    {
      key: 'status',
      header: 'Status',
      cell: (i) => (
        <span className="cell-stack">
          <Badge tone={STATUS[i.status].tone}>{STATUS[i.status].label}</Badge>
          {i.credit_note ? <span className="cell-sub">credit note {i.credit_note}</span> : null}
        </span>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (i) => (
        <span className="actions actions--row">
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Download PDF of ${nameOf(i)}`}
            onClick={() => handlers.download(i)}
          >
            PDF
          </Button>
          {i.credit_note ? (
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Download credit note ${i.credit_note}`}
              onClick={() => handlers.downloadCredit(i)}
            >
              Credit note
            </Button>
          ) : null}
          {area === 'admin'
            ? NEXT[i.status].map(({ action, label }) => (
                <Button
                  key={action}
                  size="sm"
                  variant="ghost"
                  aria-label={`${label} ${nameOf(i)}`}
                  disabled={handlers.busy}
                  onClick={() => handlers.change(i, action)}
                >
                  {label}
                </Button>
              ))
            : null}
        </span>
      ),
    },
  ];
}

type InvoicesTableProps = { invoices: readonly Invoice[]; area: Area; busy?: boolean };

export function InvoicesTable({ invoices, area, busy = false }: InvoicesTableProps) {
  const download = useDownloadInvoicePdf();
  const downloadCredit = useDownloadCreditNote();
  const change = useChangeInvoice();
  const handlers = useMemo<Handlers>(
    () => ({
      download: (invoice) =>
        download.mutate(invoice, {
          onError: (error) => toast.error(`Could not download the PDF: ${error.message}`),
        }),
      downloadCredit: (invoice) =>
        downloadCredit.mutate(invoice, {
          onError: (error) => toast.error(`Could not download the credit note: ${error.message}`),
        }),
      change: (invoice, action) =>
        change.mutate(
          { id: invoice.id, action },
          {
            onSuccess: (done) => toast.success(`Invoice ${done.number ?? nameOf(done)} ${DONE[action]}.`),
            onError: (error) => toast.error(error.message),
          },
        ),
      busy: change.isPending,
    }),
    [download, downloadCredit, change],
  );
  const columns = useMemo(() => columnsFor(area, handlers), [area, handlers]);
  return <Table caption="Invoices" columns={columns} rows={invoices} rowKey={(i) => i.id} busy={busy} />;
}
