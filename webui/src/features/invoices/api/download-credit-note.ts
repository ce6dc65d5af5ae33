import { useMutation } from '@tanstack/react-query';
import { apiDownload, saveBlob } from '@/lib/api-client';
import type { Invoice } from '../types';

/** The credit note that cancels a void invoice, as PDF. */
export function downloadCreditNote(invoice: Invoice): Promise<void> {
  return apiDownload(`/invoices/${encodeURIComponent(invoice.id)}/credit-note`).then((pdf) =>
    saveBlob(pdf, `${invoice.credit_note ?? 'credit-note'}.pdf`),
  );
}

export function useDownloadCreditNote() {
  return useMutation({ mutationFn: downloadCreditNote });
}
