import { useMemo } from 'react';
import { Badge, Button, Table, type Column } from '@/components/ui';
import { formatInteger } from '@/lib/format';
import type { Reseller } from '../api/list-resellers';
import { reservedText, TOTALS } from './totals';

type RowActions = {
  onEdit: (reseller: Reseller) => void;
  onSuspend: (reseller: Reseller) => void;
  onDelete: (reseller: Reseller) => void;
};

type ResellersTableProps = RowActions & { resellers: readonly Reseller[]; busy?: boolean };

export function ResellersTable({ resellers, busy, onEdit, onSuspend, onDelete }: ResellersTableProps) {
  const columns = useMemo(
    () => resellerColumns({ onEdit, onSuspend, onDelete }),
    [onEdit, onSuspend, onDelete],
  );
  return (
    <Table
      caption="Resellers"
      columns={columns}
      rows={resellers}
      rowKey={(r) => r.name}
      busy={busy ?? false}
    />
  );
}

function resellerColumns({ onEdit, onSuspend, onDelete }: RowActions): readonly Column<Reseller>[] {
  return [
    {
      key: 'name',
      header: 'Name',
      cell: (r) => (
        <>
          <strong>{r.name}</strong>
          {r.suspension ? (
            <>
              {' '}
              <Badge tone="danger">Suspended</Badge>
            </>
          ) : null}
        </>
      ),
    },
    ...TOTALS.map(({ key, column }): Column<Reseller> => ({
      key,
      header: column,
      cell: (r) => reservedText(r.reserved[key], r[key]),
      secondary: key !== 'max_accounts',
    })),
    { key: 'plans', header: 'Plans', cell: (r) => formatInteger(r.plans), align: 'end', secondary: true },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      cell: (r) => (
        <div className="actions actions--row">
          <Button size="sm" onClick={() => onEdit(r)} aria-label={`Edit reseller ${r.name}`}>
            Edit
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => onSuspend(r)}
            aria-label={`${r.suspension ? 'Unsuspend' : 'Suspend'} reseller ${r.name}`}
          >
            {r.suspension ? 'Unsuspend' : 'Suspend'}
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => onDelete(r)}
            aria-label={`Delete reseller ${r.name}`}
          >
            Delete
          </Button>
        </div>
      ),
      align: 'end',
    },
  ];
}
