import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Schemas } from '@/types/api';
import { resellersQueryRoot } from './list-resellers';

/** The reseller after the call, the accounts that followed it and those the agent refused. */
export type ResellerCascade = Schemas['ResellerCascade'];

export type SuspendResellerInput = { name: string; reason?: string };

/** Ends the reseller's sessions and suspends every active account on its plans. */
export function suspendReseller({ name, reason }: SuspendResellerInput): Promise<ResellerCascade> {
  return apiRequest<ResellerCascade>(`/resellers/${encodeURIComponent(name)}/suspend`, {
    method: 'POST',
    body: reason ? { reason } : {},
  });
}

/** Lifts the reseller's suspension and only the account suspensions it made. */
export function unsuspendReseller(name: string): Promise<ResellerCascade> {
  return apiRequest<ResellerCascade>(`/resellers/${encodeURIComponent(name)}/unsuspend`, {
    method: 'POST',
  });
}

export function useSuspendReseller() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: suspendReseller,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: resellersQueryRoot }),
  });
}

export function useUnsuspendReseller() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: unsuspendReseller,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: resellersQueryRoot }),
  });
}
