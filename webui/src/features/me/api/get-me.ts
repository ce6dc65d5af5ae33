import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '@/lib/api-client';
import type { Me } from '@/types/api';

export const getMeQueryKey = ['me'] as const;

export function getMe(signal?: AbortSignal): Promise<Me> {
  return apiRequest<Me>('/me', { signal });
}

export function useMe() {
  return useQuery({ queryKey: getMeQueryKey, queryFn: ({ signal }) => getMe(signal), staleTime: 0 });
}
