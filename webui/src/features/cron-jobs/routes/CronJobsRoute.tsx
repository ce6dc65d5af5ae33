import { useState } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import { Button, EmptyState, LoadingState, PageHeader, Pagination, TextField } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useCronJobs } from '../api/list-cron-jobs';
import { CreateCronJobDialog } from '../components/CreateCronJobDialog';
import { CronJobsTable } from '../components/CronJobsTable';

const PAGE_SIZE = 50;

export function CronJobsRoute({ area }: { area: Area }) {
  const filter = useAccountFilter(area);
  const [adding, setAdding] = useState(false);
  const pages = usePageTokens(filter.account);
  const jobs = useCronJobs({
    account: filter.account || undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  const data = jobs.data;
  const addButton = (label: string) => (
    <Button variant="primary" onClick={() => setAdding(true)}>
      {label}
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Cron jobs"
        description={
          area === 'admin'
            ? 'Scheduled commands of every account.'
            : 'Commands the server runs for you on a schedule, such as a nightly backup or a site’s cron.php.'
        }
        actions={addButton('Add cron job')}
      />
      {area === 'admin' ? (
        <div className="toolbar">
          <TextField
            label="Account"
            required={false}
            markOptional={false}
            placeholder="Any account"
            value={filter.input}
            onChange={(e) => filter.setInput(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
          />
        </div>
      ) : null}

      {jobs.isPending ? (
        <LoadingState label="Loading cron jobs…" />
      ) : jobs.isError ? (
        <ListLoadError
          what="cron jobs"
          account={filter.account}
          error={jobs.error}
          retry={() => void jobs.refetch()}
        />
      ) : data && data.items.length > 0 ? (
        <>
          <CronJobsTable jobs={data.items} area={area} busy={jobs.isPlaceholderData} />
          <Pagination
            label="Cron jobs pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={jobs.isFetching}
          />
        </>
      ) : filter.account ? (
        <EmptyState title="No cron jobs">Account {filter.account} has no cron jobs.</EmptyState>
      ) : (
        <EmptyState
          title="No cron jobs yet"
          action={addButton(area === 'admin' ? 'Add a cron job' : 'Add your first cron job')}
        >
          A cron job runs a command on a schedule: every few minutes, nightly, weekly.
        </EmptyState>
      )}

      <CreateCronJobDialog
        open={adding}
        onClose={() => setAdding(false)}
        area={area}
        account={filter.account}
      />
    </>
  );
}
