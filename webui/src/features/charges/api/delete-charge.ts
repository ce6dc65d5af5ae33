import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import { invalidateCharges } from './keys';

/** Administrators only: 204 while pending; 409 (with its detail) once an invoice holds it. */
export function deleteCharge(id: string): Promise<void> {
  return apiRequest<void>(`/charges/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useDeleteCharge() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteCharge,
    // A refusal (409) means an invoice billed it meanwhile: the list then shows it billed.
    onSettled: () => invalidateCharges(queryClient),
  });
}
