import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { InvoiceRun } from '../types';
import { invalidateInvoices } from './keys';

/** Makes the drafts of the periods that ended at this month's start; running again makes none. */
export function runInvoices(): Promise<InvoiceRun> {
  return apiRequest<InvoiceRun>('/invoices/run', { method: 'POST' });
}

export function useRunInvoices() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: runInvoices, onSuccess: () => invalidateInvoices(queryClient) });
}
