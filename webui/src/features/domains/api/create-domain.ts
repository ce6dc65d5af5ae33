import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Backend, Domain } from '../types';
import { invalidateDomains } from './invalidate';

export type CreateDomainInput = {
  /** Unicode or punycode; stored as punycode. */
  name: string;
  /** Required when an administrator creates it; an owner's domain is always its own. */
  account?: string;
  aliases?: string[];
  /** Left out: PHP with the newest installed version. */
  backend?: Backend;
};

/** 403 "Plan limit reached" when the plan allows no more; 409 when the name is served already. */
export function createDomain(input: CreateDomainInput): Promise<Domain> {
  return apiRequest<Domain>('/domains', { method: 'POST', body: input });
}

export function useCreateDomain() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: createDomain, onSuccess: () => invalidateDomains(queryClient) });
}
