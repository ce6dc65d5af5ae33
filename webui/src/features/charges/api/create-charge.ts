import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Charge, ChargeCreate } from '../types';
import { invalidateCharges } from './keys';

/** Administrators only. 400 or 422 with the field named (`description`, `amount`); 404 for no such account. */
export function createCharge(input: ChargeCreate): Promise<Charge> {
  return apiRequest<Charge>('/charges', { method: 'POST', body: input });
}

export function useCreateCharge() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createCharge, onSuccess: () => invalidateCharges(queryClient) });
}
