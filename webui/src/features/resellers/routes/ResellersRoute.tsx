import { useState } from 'react';
import { Alert, Button, EmptyState, LoadingState, PageHeader, Pagination } from '@/components/ui';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useResellers, type Reseller } from '../api/list-resellers';
import { CreateResellerDialog } from '../components/CreateResellerDialog';
import { DeleteResellerDialog } from '../components/DeleteResellerDialog';
import { EditResellerDialog } from '../components/EditResellerDialog';
import { ResellersTable } from '../components/ResellersTable';
import { SuspendResellerDialog } from '../components/SuspendResellerDialog';

const PAGE_SIZE = 50;

/** Administrators: the resellers, with what their accounts reserve of each total. */
export function ResellersRoute() {
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Reseller | null>(null);
  const [deleting, setDeleting] = useState<Reseller | null>(null);
  const [suspending, setSuspending] = useState<Reseller | null>(null);
  const pages = usePageTokens();
  const resellers = useResellers({ pageToken: pages.pageToken, limit: PAGE_SIZE });
  const data = resellers.data;

  return (
    <>
      <PageHeader
        title="Resellers"
        description="Resellers sell accounts on plans of their own. Every account reserves its plan's limits of its reseller's totals."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create reseller
          </Button>
        }
      />

      {resellers.isPending ? (
        <LoadingState label="Loading resellers…" />
      ) : resellers.isError ? (
        <Alert
          tone="error"
          title="Could not load resellers"
          action={<Button onClick={() => void resellers.refetch()}>Try again</Button>}
        >
          {resellers.error.message}
        </Alert>
      ) : data && data.items.length > 0 ? (
        <>
          <ResellersTable
            resellers={data.items}
            busy={resellers.isPlaceholderData}
            onEdit={setEditing}
            onSuspend={setSuspending}
            onDelete={setDeleting}
          />
          <Pagination
            label="Resellers pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={resellers.isFetching}
          />
        </>
      ) : (
        <EmptyState title="No resellers">
          Create one to let it sell accounts within totals you set.
        </EmptyState>
      )}

      <CreateResellerDialog open={creating} onClose={() => setCreating(false)} />
      <EditResellerDialog reseller={editing} onClose={() => setEditing(null)} />
      <SuspendResellerDialog reseller={suspending} onClose={() => setSuspending(null)} />
      <DeleteResellerDialog reseller={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
