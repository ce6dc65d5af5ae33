import { Link } from 'react-router';
import { Table, type Column } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatDateTime } from '@/lib/format';
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

export function AccountsTable({ accounts, busy }: { accounts: readonly Account[]; busy?: boolean }) {
  return (
    <Table caption="Accounts" columns={COLUMNS} rows={accounts} rowKey={(a) => a.name} busy={busy ?? false} />
  );
}
