import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { resellersQueryRoot, type Reseller } from './list-resellers';

/** Only the fields present change; a total of null is unlimited. */
export type UpdateResellerInput = Schemas['ResellerUpdate'];

/** 409 when a new total is below what the reseller's accounts reserve. */
export function updateReseller(name: string, input: UpdateResellerInput): Promise<Reseller> {
  return apiRequest<Reseller>(`/resellers/${encodeURIComponent(name)}`, { method: 'PATCH', body: input });
}

export function useUpdateReseller(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateResellerInput) => updateReseller(name, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: resellersQueryRoot }),
  });
}
