import { useState, type FormEvent } from 'react';
import { Alert, Button, TextField } from '@/components/ui';
import { useExportInvoices } from '../api/export-invoices';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** This year so far, as accounting usually asks: [1 January, tomorrow). */
function thisYear(now = new Date()): { start: string; end: string } {
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { start: `${now.getUTCFullYear()}-01-01`, end: tomorrow.toISOString().slice(0, 10) };
}

export function ExportInvoicesForm() {
  const [range, setRange] = useState(thisYear);
  const [error, setError] = useState<string | undefined>();
  const mutation = useExportInvoices();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!DAY.test(range.start) || !DAY.test(range.end) || range.start >= range.end) {
      setError('Give two days, the first before the second.');
      return;
    }
    setError(undefined);
    mutation.mutate(range);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Export invoices" className="toolbar">
      {mutation.error ? <Alert tone="error">{mutation.error.message}</Alert> : null}
      <TextField
        label="Issued from"
        type="date"
        value={range.start}
        onChange={(e) => setRange((r) => ({ ...r, start: e.target.value }))}
        error={error}
      />
      <TextField
        label="Until (not included)"
        type="date"
        value={range.end}
        onChange={(e) => setRange((r) => ({ ...r, end: e.target.value }))}
      />
      <Button type="submit" pending={mutation.isPending}>
        Export CSV
      </Button>
    </form>
  );
}
