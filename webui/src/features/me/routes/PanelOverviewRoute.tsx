import type { ReactNode } from 'react';
import { Alert, Button, EmptyState, LoadingState, PageHeader } from '@/components/ui';
import { useMe } from '../api/get-me';
import { AccountOverview } from '../components/AccountOverview';
import { PlanUsageCard } from '../components/PlanUsageCard';

type PanelOverviewRouteProps = {
  /** Cards of other features about the owner's account (app/router.tsx composes them). */
  cards?: (account: string) => ReactNode;
};

export function PanelOverviewRoute({ cards }: PanelOverviewRouteProps) {
  const me = useMe();

  if (me.isPending) return <LoadingState label="Loading your account…" />;
  if (me.isError) {
    return (
      <>
        <PageHeader title="Overview" />
        <Alert
          tone="error"
          title="Could not load your account"
          action={<Button onClick={() => void me.refetch()}>Try again</Button>}
        >
          {me.error.message}
        </Alert>
      </>
    );
  }

  const account = me.data.account;
  return (
    <>
      <PageHeader title="Overview" description={`Welcome, ${me.data.name}.`} />
      {account ? (
        <div className="stack">
          <AccountOverview account={account} />
          {me.data.plan ? <PlanUsageCard plan={me.data.plan} usage={me.data.usage ?? {}} /> : null}
          {cards?.(account.name)}
        </div>
      ) : (
        <EmptyState title="No hosting account">This user has no hosting account attached.</EmptyState>
      )}
    </>
  );
}
