import { useMutation } from '@tanstack/react-query';
import { apiDownload, saveBlob } from '@/lib/api-client';

/** Issued in [start, end), days in UTC (YYYY-MM-DD). */
export type ExportInvoicesInput = { start: string; end: string };

export function exportInvoices({ start, end }: ExportInvoicesInput): Promise<void> {
  return apiDownload('/invoice-export', { query: { start, end } }).then((csv) =>
    saveBlob(csv, `invoices-${start}-${end}.csv`),
  );
}

export function useExportInvoices() {
  return useMutation({ mutationFn: exportInvoices });
}
