import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { ReconcileReport, ReconcileState } from '../types';
import { getReconcileQueryKey } from './get-reconcile';

export function runReconcile(): Promise<ReconcileReport> {
  return apiRequest<ReconcileReport>('/reconcile', { method: 'POST' });
}

export function useRunReconcile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: runReconcile,
    onSuccess: (report) => {
      queryClient.setQueryData<ReconcileState>(getReconcileQueryKey, { running: false, last: report });
      // Repairs change what the rest of the panel shows.
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'reconcile' });
    },
  });
}
