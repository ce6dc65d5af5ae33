import { Link } from 'react-router';
import { Table, type Column } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatDateTime, formatMegabytes } from '@/lib/format';
import type { Account } from '@/types/api';
import { AccountStatusBadge } from '@/components/AccountStatusBadge';

const COLUMNS: readonly Column<Account>[] = [
  {
    key: 'name',
    header: 'Name',
    cell: (a) => (
      <Link className="table__link" to={paths.admin.account(a.name)}>
        {a.name}
      </Link>
    ),
  },
  { key: 'status', header: 'Status', cell: (a) => <AccountStatusBadge status={a.status} /> },
  { key: 'plan', header: 'Plan', cell: (a) => a.plan },
  { key: 'disk', header: 'Disk', cell: (a) => <DiskCell account={a} /> },
  { key: 'shell', header: 'Shell', cell: (a) => <code>{a.shell}</code>, secondary: true },
  {
    key: 'email',
    header: 'Email',
    cell: (a) => a.email ?? <span className="muted">—</span>,
    secondary: true,
  },
  {
    key: 'created',
    header: 'Created',
    cell: (a) => <time dateTime={a.created_at}>{formatDateTime(a.created_at)}</time>,
    secondary: true,
  },
];

/** "12 MB of 500 MB", "12 MB" without a limit, a dash where the server measures nothing. */
function DiskCell({ account }: { account: Account }) {
  const disk = account.system?.disk;
  if (!disk?.enforced || disk.used_bytes === null) return <span className="muted">—</span>;
  const used = formatMegabytes(disk.used_bytes);
  return <>{disk.limit_bytes === null ? used : `${used} of ${formatMegabytes(disk.limit_bytes)}`}</>;
}

export function AccountsTable({ accounts, busy }: { accounts: readonly Account[]; busy?: boolean }) {
  return (
    <Table caption="Accounts" columns={COLUMNS} rows={accounts} rowKey={(a) => a.name} busy={busy ?? false} />
  );
}
