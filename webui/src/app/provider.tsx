import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { LoadingState, Toaster } from '@/components/ui';
import { refreshSession } from '@/lib/api-client';
import { createQueryClient } from '@/lib/query-client';
import { useSession } from '@/lib/session';

type AppProviderProps = { children: ReactNode; queryClient?: QueryClient };

export function AppProvider({ children, queryClient }: AppProviderProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());

  // Server data belongs to the session that fetched it: drop it when the user changes.
  useEffect(
    () =>
      useSession.subscribe((state, previous) => {
        if (state.user?.id !== previous.user?.id) client.clear();
      }),
    [client],
  );

  return (
    <ErrorBoundary>
      <QueryClientProvider client={client}>
        <SessionGate>{children}</SessionGate>
        <Toaster />
      </QueryClientProvider>
    </ErrorBoundary>
  );
}

/** Holds the app until the refresh cookie has been tried, so guards never judge too early. */
function SessionGate({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);

  useEffect(() => {
    if (useSession.getState().status !== 'restoring') return;
    refreshSession().catch(() => useSession.getState().markAnonymous());
  }, []);

  if (status === 'restoring') {
    return (
      <div className="boot">
        <LoadingState label="Starting JoPanel…" />
      </div>
    );
  }
  return children;
}
