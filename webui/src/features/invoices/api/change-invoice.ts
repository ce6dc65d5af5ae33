import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Invoice } from '../types';
import { invalidateInvoices } from './keys';

/**
 * The three administrator verbs (issueInvoice, payInvoice, voidInvoice) share one shape:
 * POST /invoices/{id}/<verb>, answering the invoice; 409 when its status does not allow it.
 */
export type InvoiceAction = 'issue' | 'pay' | 'void';

export function changeInvoice(id: string, action: InvoiceAction): Promise<Invoice> {
  return apiRequest<Invoice>(`/invoices/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
}

export function useChangeInvoice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: InvoiceAction }) => changeInvoice(id, action),
    onSuccess: () => invalidateInvoices(queryClient),
  });
}
