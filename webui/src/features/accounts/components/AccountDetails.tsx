import { Link } from 'react-router';
import { Card, FactList } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatDateTime, formatInteger, formatMegabytes } from '@/lib/format';
import { describeSuspension } from '@/lib/suspension';
import type { Account, DiskUsage } from '@/types/api';
import { AccountStatusBadge } from '@/components/AccountStatusBadge';
import { SHELL_LABELS } from './shell-options';

export function AccountDetails({ account }: { account: Account }) {
  return (
    <div className="grid grid--2">
      <Card title="Account">
        <FactList
          facts={[
            { term: 'Status', value: <AccountStatusBadge status={account.status} /> },
            ...(account.suspension
              ? [{ term: 'Suspension', value: describeSuspension(account.suspension) }]
              : []),
            { term: 'Email', value: account.email ?? <span className="muted">None</span> },
            { term: 'Shell', value: SHELL_LABELS[account.shell] ?? account.shell },
            { term: 'Plan', value: <Link to={paths.admin.plans}>{account.plan}</Link> },
            {
              term: 'Hosting',
              value: (
                <ul className="plain-list">
                  <li>
                    <Link to={paths.admin.domainsOf(account.name)}>Domains of {account.name}</Link>
                  </li>
                  <li>
                    <Link to={paths.admin.databasesOf(account.name)}>Databases of {account.name}</Link>
                  </li>
                  <li>
                    <Link to={paths.admin.cronJobsOf(account.name)}>Cron jobs of {account.name}</Link>
                  </li>
                  <li>
                    <Link to={paths.admin.dnsZonesOf(account.name)}>DNS zones of {account.name}</Link>
                  </li>
                </ul>
              ),
            },
            {
              term: 'Created',
              value: <time dateTime={account.created_at}>{formatDateTime(account.created_at)}</time>,
            },
            {
              term: 'Updated',
              value: <time dateTime={account.updated_at}>{formatDateTime(account.updated_at)}</time>,
            },
          ]}
        />
      </Card>
      <Card title="On the server">
        {account.system ? (
          <FactList
            facts={[
              { term: 'Home', value: <code>{account.system.home}</code> },
              { term: 'UID', value: account.system.uid },
              { term: 'GID', value: account.system.gid },
              { term: 'Logins', value: account.system.suspended ? 'Blocked (suspended)' : 'Allowed' },
              { term: 'Disk', value: <DiskUse disk={account.system.disk} /> },
              { term: 'Files', value: <FileCount disk={account.system.disk} /> },
            ]}
          />
        ) : (
          <p className="muted">
            The server has not reported this account. It may still be being set up; check again in a moment.
          </p>
        )}
      </Card>
    </div>
  );
}

/** What the account's files take under its quota: "12 MB of 500 MB", with a meter. */
function DiskUse({ disk }: { disk: DiskUsage }) {
  if (!disk.enforced || disk.used_bytes === null) {
    return <span className="muted">Not measured: this server does not enforce disk quotas</span>;
  }
  const used = formatMegabytes(disk.used_bytes);
  if (disk.limit_bytes === null) return <>{used} used, no limit</>;
  return (
    <span className="usage">
      <span>
        {used} of {formatMegabytes(disk.limit_bytes)}
      </span>
      {/* The words say it all; the meter repeats it for the eye. */}
      <meter
        className="usage__meter"
        min={0}
        max={disk.limit_bytes}
        value={Math.min(disk.used_bytes, disk.limit_bytes)}
        aria-hidden="true"
      />
    </span>
  );
}

/** How many files, folders and links the account owns under its inode quota: "1,234 of 5,000". */
function FileCount({ disk }: { disk: DiskUsage }) {
  if (!disk.enforced || disk.used_inodes === null) {
    return <span className="muted">Not counted: this server does not enforce disk quotas</span>;
  }
  const used = formatInteger(disk.used_inodes);
  if (!disk.inode_limit) return <>{used} files, no limit</>;
  return (
    <span className="usage">
      <span>
        {used} of {formatInteger(disk.inode_limit)} files
      </span>
      <meter
        className="usage__meter"
        min={0}
        max={disk.inode_limit}
        value={Math.min(disk.used_inodes, disk.inode_limit)}
        aria-hidden="true"
      />
    </span>
  );
}
