import { Alert, Button, PageHeader, Spinner } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatInteger } from '@/lib/format';
import { useSession } from '@/lib/session';
import { useServer } from '../api/get-server';
import { ConsistencyPanel } from '../components/ConsistencyPanel';
import { LoadCard, StorageCard, SystemCard } from '../components/ServerCards';
import { StatCard } from '../components/StatCard';
import type { ResourceCounts } from '../types';

const COUNTS: readonly { key: keyof ResourceCounts; label: string; to: string; link: string }[] = [
  { key: 'accounts', label: 'Accounts', to: paths.admin.accounts, link: 'Manage accounts' },
  { key: 'domains', label: 'Domains', to: paths.admin.domains, link: 'All domains' },
  { key: 'databases', label: 'Databases', to: paths.admin.databases, link: 'All databases' },
  { key: 'cron_jobs', label: 'Cron jobs', to: paths.admin.cronJobs, link: 'All cron jobs' },
  { key: 'dns_zones', label: 'DNS zones', to: paths.admin.dnsZones, link: 'All DNS zones' },
];

export function DashboardRoute() {
  const name = useSession((s) => s.user?.name);
  const overview = useServer();
  const data = overview.data;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description={name ? `Signed in as ${name}.` : undefined}
        actions={
          overview.isFetching && data ? (
            <span className="muted">
              <Spinner size="sm" /> Refreshing…
            </span>
          ) : null
        }
      />
      <div className="stack">
        {overview.isError ? (
          <Alert
            tone="error"
            title={data ? 'Could not refresh the server overview' : 'Could not load the server overview'}
            action={<Button onClick={() => void overview.refetch()}>Try again</Button>}
          >
            {overview.error.message}
            {data ? ' The figures below are from the last answer.' : null}
          </Alert>
        ) : null}
        <section aria-label="Counts" className="grid grid--counts">
          {COUNTS.map((c) => (
            <StatCard
              key={c.key}
              label={c.label}
              value={data ? formatInteger(data.counts[c.key]) : overview.isError ? '—' : null}
              loading={overview.isPending}
              link={{ to: c.to, label: c.link }}
            />
          ))}
        </section>
        {data ? (
          <div className="grid grid--2">
            <SystemCard server={data.server} />
            <LoadCard server={data.server} />
            <StorageCard server={data.server} />
          </div>
        ) : null}
        <p className="field__hint">Refreshed every 30 seconds while this page is open.</p>
        <ConsistencyPanel />
      </div>
    </>
  );
}
