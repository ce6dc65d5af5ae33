import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Button, Table, type Column } from '@/components/ui';
import { paths, type Area } from '@/config/paths';
import { formatBytes } from '@/lib/format';
import type { Database } from '../types';
import { DatabaseStatusBadge } from './DatabaseStatusBadge';
import { DeleteDatabaseDialog } from './DeleteDatabaseDialog';

function columnsFor(area: Area, onDelete: (database: Database) => void): Column<Database>[] {
  return [
    {
      key: 'name',
      header: 'Database',
      cell: (d) => (
        <span className="cell-stack">
          <span className="mono">{d.name}</span> <DatabaseStatusBadge status={d.status} />
        </span>
      ),
    },
    ...(area === 'admin'
      ? [
          {
            key: 'account',
            header: 'Account',
            cell: (d: Database) => <Link to={paths.admin.account(d.account)}>{d.account}</Link>,
          },
        ]
      : []),
    {
      key: 'size',
      header: 'Size',
      align: 'end',
      cell: (d) =>
        d.size_bytes === null ? <span className="muted">Not measured</span> : formatBytes(d.size_bytes),
    },
    {
      key: 'users',
      header: 'Users',
      secondary: true,
      cell: (d) =>
        d.users.length > 0 ? (
          <span className="tag-list">
            {d.users.map((u) => (
              <code key={u}>{u}</code>
            ))}
          </span>
        ) : (
          <span className="muted">No users</span>
        ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (d) => (
        <Button
          size="sm"
          variant="ghost"
          aria-label={`Delete database ${d.name}`}
          disabled={d.status === 'deleting'}
          onClick={() => onDelete(d)}
        >
          Delete
        </Button>
      ),
    },
  ];
}

type DatabasesTableProps = { databases: readonly Database[]; area: Area; busy?: boolean };

export function DatabasesTable({ databases, area, busy = false }: DatabasesTableProps) {
  const [deleting, setDeleting] = useState<Database | null>(null);
  const columns = useMemo(() => columnsFor(area, setDeleting), [area]);
  return (
    <>
      <Table caption="Databases" columns={columns} rows={databases} rowKey={(d) => d.name} busy={busy} />
      {deleting ? <DeleteDatabaseDialog database={deleting} open onClose={() => setDeleting(null)} /> : null}
    </>
  );
}
