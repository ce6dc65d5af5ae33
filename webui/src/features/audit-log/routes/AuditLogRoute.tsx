import { Alert, Button, EmptyState, LoadingState, PageHeader, Pagination } from '@/components/ui';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useAuditLog } from '../api/list-audit-log';
import { AuditLogTable } from '../components/AuditLogTable';

const PAGE_SIZE = 50;

export function AuditLogRoute() {
  const pages = usePageTokens();
  const log = useAuditLog({ pageToken: pages.pageToken, limit: PAGE_SIZE });
  const data = log.data;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every privileged operation: who did what, when, and how it ended. Newest first."
        actions={
          <Button onClick={() => void log.refetch()} pending={log.isFetching && !log.isPending}>
            Refresh
          </Button>
        }
      />
      {log.isPending ? (
        <LoadingState label="Loading audit log…" />
      ) : log.isError ? (
        <Alert
          tone="error"
          title="Could not load the audit log"
          action={<Button onClick={() => void log.refetch()}>Try again</Button>}
        >
          {log.error.message}
        </Alert>
      ) : data && data.items.length > 0 ? (
        <>
          <AuditLogTable entries={data.items} busy={log.isPlaceholderData} />
          <Pagination
            label="Audit log pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={log.isFetching}
          />
        </>
      ) : (
        <EmptyState title="Nothing recorded yet">
          Privileged operations appear here as they happen.
        </EmptyState>
      )}
    </>
  );
}
