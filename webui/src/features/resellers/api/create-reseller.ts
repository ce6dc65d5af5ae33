import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { resellersQueryRoot, type Reseller } from './list-resellers';

/** Totals left out are unlimited (null). */
export type CreateResellerInput = Schemas['ResellerCreate'];

/** 409 when the name is taken (by an account, an administrator or a reseller). */
export function createReseller(input: CreateResellerInput): Promise<Reseller> {
  return apiRequest<Reseller>('/resellers', { method: 'POST', body: input });
}

export function useCreateReseller() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createReseller,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: resellersQueryRoot }),
  });
}
