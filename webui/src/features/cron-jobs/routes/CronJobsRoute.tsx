import { useState } from 'react';
import { AccountFilterField, PagedList } from '@/components/PagedList';
import { Button, EmptyState, PageHeader } from '@/components/ui';
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
      {area === 'admin' ? <AccountFilterField filter={filter} /> : null}
      <PagedList
        what="cron jobs"
        title="Cron jobs"
        account={filter.account}
        query={jobs}
        pages={pages}
        renderTable={(items, busy) => <CronJobsTable jobs={items} area={area} busy={busy} />}
        empty={
          <EmptyState
            title="No cron jobs yet"
            action={addButton(area === 'admin' ? 'Add a cron job' : 'Add your first cron job')}
          >
            A cron job runs a command on a schedule: every few minutes, nightly, weekly.
          </EmptyState>
        }
      />
      <CreateCronJobDialog
        open={adding}
        onClose={() => setAdding(false)}
        area={area}
        account={filter.account}
      />
    </>
  );
}
