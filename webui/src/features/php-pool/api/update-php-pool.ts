import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { PhpPool, PhpPoolUpdate } from '../types';
import { getPhpPoolQueryKey } from './get-php-pool';

/** 422 with the field named when max_children is above the plan's bound. */
export function updatePhpPool(account: string, changes: PhpPoolUpdate): Promise<PhpPool> {
  return apiRequest<PhpPool>(`/accounts/${encodeURIComponent(account)}/php-pool`, {
    method: 'PATCH',
    body: changes,
  });
}

export function useUpdatePhpPool(account: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: PhpPoolUpdate) => updatePhpPool(account, changes),
    onSuccess: (saved) => queryClient.setQueryData(getPhpPoolQueryKey(account), saved),
  });
}
