import { useMemo } from 'react';
import { Button, Table, type Column } from '@/components/ui';
import { formatInteger } from '@/lib/format';
import { formatLimit, PLAN_LIMITS } from '@/lib/plan-limits';
import type { Plan } from '@/types/api';

type RowActions = {
  onEdit: (plan: Plan) => void;
  onDelete: (plan: Plan) => void;
  /** Administrators only: a plan's price and billing period. */
  onBilling?: ((plan: Plan) => void) | undefined;
};

type PlansTableProps = RowActions & { plans: readonly Plan[]; busy?: boolean };

export function PlansTable({ plans, busy, onEdit, onDelete, onBilling }: PlansTableProps) {
  const columns = useMemo(() => planColumns({ onEdit, onDelete, onBilling }), [onEdit, onDelete, onBilling]);
  return <Table caption="Plans" columns={columns} rows={plans} rowKey={(p) => p.name} busy={busy ?? false} />;
}

function planColumns({ onEdit, onDelete, onBilling }: RowActions): readonly Column<Plan>[] {
  return [
    { key: 'name', header: 'Name', cell: (p) => <strong>{p.name}</strong> },
    ...PLAN_LIMITS.map(({ key, column }): Column<Plan> => ({
      key,
      header: column,
      cell: (p) => limitCell(p[key]),
      secondary: key !== 'max_domains',
    })),
    {
      key: 'ssh_shell',
      header: 'SSH',
      cell: (p) => (p.ssh_shell ? 'Shell' : 'SFTP only'),
      secondary: true,
    },
    {
      key: 'php_open_basedir',
      header: 'PHP files',
      cell: (p) => (p.php_open_basedir ? 'Home only' : 'Not confined'),
      secondary: true,
    },
    {
      key: 'php_static_pools',
      header: 'PHP pools',
      cell: (p) => (p.php_static_pools ? 'Static allowed' : 'On demand or dynamic'),
      secondary: true,
    },
    {
      key: 'accounts',
      header: 'Accounts',
      cell: (p) => formatInteger(p.accounts),
      align: 'end',
      secondary: true,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      cell: (p) => (
        <div className="actions actions--row">
          <Button size="sm" onClick={() => onEdit(p)} aria-label={`Edit plan ${p.name}`}>
            Edit
          </Button>
          {onBilling ? (
            <Button size="sm" onClick={() => onBilling(p)} aria-label={`Billing of plan ${p.name}`}>
              Billing
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" onClick={() => onDelete(p)} aria-label={`Delete plan ${p.name}`}>
            Delete
          </Button>
        </div>
      ),
      align: 'end',
    },
  ];
}

/** Unlimited and "none" are words, not numbers, so 0 and null never look alike. */
function limitCell(limit: number | null) {
  const text = formatLimit(limit);
  return limit === null || limit === 0 ? <span className="limit-word">{text}</span> : text;
}
