import { useState } from 'react';
import { Alert, Button, EmptyState, LoadingState, PageHeader, Pagination } from '@/components/ui';
import { useSession } from '@/lib/session';
import { usePageTokens } from '@/lib/use-page-tokens';
import type { Plan } from '@/types/api';
import { usePlans } from '../api/list-plans';
import { CreatePlanDialog } from '../components/CreatePlanDialog';
import { DeletePlanDialog } from '../components/DeletePlanDialog';
import { EditPlanDialog } from '../components/EditPlanDialog';
import { PlanBillingDialog } from '../components/PlanBillingDialog';
import { PlansTable } from '../components/PlansTable';

const PAGE_SIZE = 50;

export function PlansRoute() {
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Plan | null>(null);
  const [deleting, setDeleting] = useState<Plan | null>(null);
  const [billing, setBilling] = useState<Plan | null>(null);
  const pages = usePageTokens();
  const plans = usePlans({ pageToken: pages.pageToken, limit: PAGE_SIZE });
  const data = plans.data;
  // A reseller sees its own plans only, and starts with none.
  const reseller = useSession((s) => s.user?.role === 'reseller');
  // Prices are the administrators' (docs/invoices.md): a reseller is not offered them.
  const admin = useSession((s) => s.user?.role === 'admin');

  return (
    <>
      <PageHeader
        title="Plans"
        description="Limits for the accounts on each plan. Unlimited has no cap; 0 allows none."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create plan
          </Button>
        }
      />

      {plans.isPending ? (
        <LoadingState label="Loading plans…" />
      ) : plans.isError ? (
        <Alert
          tone="error"
          title="Could not load plans"
          action={<Button onClick={() => void plans.refetch()}>Try again</Button>}
        >
          {plans.error.message}
        </Alert>
      ) : data && data.items.length > 0 ? (
        <>
          <PlansTable
            plans={data.items}
            busy={plans.isPlaceholderData}
            onEdit={setEditing}
            onDelete={setDeleting}
            onBilling={admin ? setBilling : undefined}
          />
          <Pagination
            label="Plans pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={plans.isFetching}
          />
        </>
      ) : (
        <EmptyState title="No plans">
          {reseller
            ? 'Create a plan to sell accounts on; its limits come out of your totals.'
            : 'The gateway reports no plans, not even the default one.'}
        </EmptyState>
      )}

      <CreatePlanDialog open={creating} onClose={() => setCreating(false)} />
      <EditPlanDialog plan={editing} onClose={() => setEditing(null)} />
      <DeletePlanDialog plan={deleting} onClose={() => setDeleting(null)} />
      <PlanBillingDialog plan={billing} onClose={() => setBilling(null)} />
    </>
  );
}
