import { QueryClient } from '@tanstack/react-query';
import { isApiError, type ApiError } from '@/lib/api-error';

// apiRequest rejects with ApiError only, so hooks can read error.status and error.errors.
declare module '@tanstack/react-query' {
  interface Register {
    defaultError: ApiError;
  }
}

/** Only answers that may change on their own are worth retrying: 5xx, 429 and no answer. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (!isApiError(error)) return false;
  return error.isNetworkError || error.status === 429 || error.status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, retry: shouldRetry, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
