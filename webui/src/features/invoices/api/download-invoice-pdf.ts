import { useMutation } from '@tanstack/react-query';
import { apiDownload, saveBlob } from '@/lib/api-client';
import type { Invoice } from '../types';

export function downloadInvoicePdf(invoice: Invoice): Promise<void> {
  return apiDownload(`/invoices/${encodeURIComponent(invoice.id)}/pdf`).then((pdf) =>
    saveBlob(pdf, `invoice-${invoice.number ?? invoice.id}.pdf`),
  );
}

export function useDownloadInvoicePdf() {
  return useMutation({ mutationFn: downloadInvoicePdf });
}
