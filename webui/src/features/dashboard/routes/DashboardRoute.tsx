import { Alert, Card, PageHeader } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatInteger } from '@/lib/format';
import { useSession } from '@/lib/session';
import { useAccountCount } from '../api/count-accounts';
import { StatCard } from '../components/StatCard';

export function DashboardRoute() {
  const name = useSession((s) => s.user?.name);
  const accounts = useAccountCount();

  const accountValue = accounts.isError
    ? '—'
    : accounts.data
      ? `${formatInteger(accounts.data.count)}${accounts.data.atLeast ? '+' : ''}`
      : null;

  return (
    <>
      <PageHeader title="Dashboard" description={name ? `Signed in as ${name}.` : undefined} />
      <div className="stack">
        <div className="grid grid--stats">
          <StatCard
            label="Accounts"
            value={accountValue}
            loading={accounts.isPending}
            link={{ to: paths.admin.accounts, label: 'Manage accounts' }}
          />
        </div>
        {accounts.isError ? (
          <Alert tone="error" title="Could not count accounts">
            {accounts.error.message}
          </Alert>
        ) : null}

        {/* Reserved for server facts. Nothing here is invented: it fills in when the API exists. */}
        <Card title="Server">
          <p className="muted">
            Server facts (load, memory, disk, service health, versions) will appear here once the gateway
            offers a server status API.
          </p>
        </Card>
      </div>
    </>
  );
}
