import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Button, Table, type Column } from '@/components/ui';
import { paths, type Area } from '@/config/paths';
import type { DatabaseUser } from '../types';
import { ChangeUserDatabasesDialog } from './ChangeUserDatabasesDialog';
import { ChangeUserPasswordDialog } from './ChangeUserPasswordDialog';
import { DatabaseStatusBadge } from './DatabaseStatusBadge';
import { DeleteDatabaseUserDialog } from './DeleteDatabaseUserDialog';

type Open = { user: DatabaseUser; dialog: 'password' | 'databases' | 'delete' } | null;

function UserActions({ user, onOpen }: { user: DatabaseUser; onOpen: (open: Open) => void }) {
  const disabled = user.status === 'deleting';
  return (
    <span className="actions actions--row">
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Change password of ${user.name}`}
        disabled={disabled}
        onClick={() => onOpen({ user, dialog: 'password' })}
      >
        Password
      </Button>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Change databases of ${user.name}`}
        disabled={disabled}
        onClick={() => onOpen({ user, dialog: 'databases' })}
      >
        Databases
      </Button>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Delete database user ${user.name}`}
        disabled={disabled}
        onClick={() => onOpen({ user, dialog: 'delete' })}
      >
        Delete
      </Button>
    </span>
  );
}

function columnsFor(area: Area, onOpen: (open: Open) => void): Column<DatabaseUser>[] {
  return [
    {
      key: 'name',
      header: 'User',
      cell: (u) => (
        <span className="cell-stack">
          <span className="mono">{u.name}</span> <DatabaseStatusBadge status={u.status} />
        </span>
      ),
    },
    ...(area === 'admin'
      ? [
          {
            key: 'account',
            header: 'Account',
            cell: (u: DatabaseUser) => <Link to={paths.admin.account(u.account)}>{u.account}</Link>,
          },
        ]
      : []),
    {
      key: 'databases',
      header: 'Databases',
      secondary: true,
      cell: (u) =>
        u.databases.length > 0 ? (
          <span className="tag-list">
            {u.databases.map((d) => (
              <code key={d}>{d}</code>
            ))}
          </span>
        ) : (
          <span className="muted">None</span>
        ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (u) => <UserActions user={u} onOpen={onOpen} />,
    },
  ];
}

type DatabaseUsersTableProps = { users: readonly DatabaseUser[]; area: Area; busy?: boolean };

export function DatabaseUsersTable({ users, area, busy = false }: DatabaseUsersTableProps) {
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const columns = useMemo(() => columnsFor(area, setOpen), [area]);
  return (
    <>
      <Table caption="Database users" columns={columns} rows={users} rowKey={(u) => u.name} busy={busy} />
      {open?.dialog === 'password' ? (
        <ChangeUserPasswordDialog user={open.user} open onClose={close} />
      ) : null}
      {open?.dialog === 'databases' ? (
        <ChangeUserDatabasesDialog user={open.user} open onClose={close} />
      ) : null}
      {open?.dialog === 'delete' ? <DeleteDatabaseUserDialog user={open.user} open onClose={close} /> : null}
    </>
  );
}
