import type { ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, EmptyState, LoadingState, PageHeader } from '@/components/ui';
import { paths } from '@/config/paths';
import { useSession } from '@/lib/session';
import { describeSuspension } from '@/lib/suspension';
import { useAccount } from '../api/get-account';
import { AccountActions } from '../components/AccountActions';
import { AccountBillingCard } from '../components/AccountBillingCard';
import { AccountDetails } from '../components/AccountDetails';
import { SshAccessCard } from '../components/SshAccessCard';

type AccountRouteProps = {
  /** Cards of other features about the account (app/router.tsx composes them). */
  cards?: (account: string) => ReactNode;
  /** Billing cards of other features (one-off charges): shown where Billing is, to administrators only. */
  billingCards?: (account: string) => ReactNode;
};

export function AccountRoute({ cards, billingCards }: AccountRouteProps) {
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const account = useAccount(name);
  // Billing is the administrators' (docs/invoices.md): a reseller is not shown it.
  const admin = useSession((s) => s.user?.role === 'admin');
  const back = (
    <Link className="back-link" to={paths.admin.accounts}>
      ← Accounts
    </Link>
  );

  if (account.isPending) return <LoadingState label="Loading account…" />;

  if (account.isError) {
    if (account.error.status === 404) {
      return (
        <>
          <PageHeader title={name} back={back} />
          <EmptyState title="Account not found">There is no account named “{name}”.</EmptyState>
        </>
      );
    }
    return (
      <>
        <PageHeader title={name} back={back} />
        <Alert
          tone="error"
          title="Could not load the account"
          action={<Button onClick={() => void account.refetch()}>Try again</Button>}
        >
          {account.error.message}
        </Alert>
      </>
    );
  }

  return (
    <>
      <PageHeader title={account.data.name} back={back} />
      <div className="stack">
        {account.data.suspension ? (
          <Alert tone="warning" title="This account is suspended">
            {describeSuspension(account.data.suspension)}
          </Alert>
        ) : null}
        <AccountDetails account={account.data} />
        <SshAccessCard account={account.data} />
        {admin ? (
          <>
            <AccountBillingCard name={account.data.name} />
            {billingCards?.(account.data.name)}
          </>
        ) : null}
        {cards?.(account.data.name)}
        <AccountActions account={account.data} onDeleted={() => navigate(paths.admin.accounts)} />
      </div>
    </>
  );
}
