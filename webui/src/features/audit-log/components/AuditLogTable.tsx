import { Badge, Table, type Column } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import type { AuditEntry } from '../api/list-audit-log';

const COLUMNS: readonly Column<AuditEntry>[] = [
  { key: 'time', header: 'Time', cell: (e) => <time dateTime={e.time}>{formatDateTime(e.time)}</time> },
  { key: 'actor', header: 'Who', cell: (e) => e.actor },
  { key: 'action', header: 'Action', cell: (e) => <code>{e.action}</code> },
  { key: 'target', header: 'Target', cell: (e) => e.target || <span className="muted">—</span> },
  {
    key: 'result',
    header: 'Result',
    cell: (e) => (
      <Badge tone={e.result === 'ok' ? 'success' : 'danger'}>{e.result === 'ok' ? 'OK' : 'Error'}</Badge>
    ),
  },
  {
    key: 'detail',
    header: 'Detail',
    cell: (e) =>
      e.detail ? <span className="cell-detail">{e.detail}</span> : <span className="muted">—</span>,
    secondary: true,
  },
];

export function AuditLogTable({ entries, busy }: { entries: readonly AuditEntry[]; busy?: boolean }) {
  return (
    <Table
      caption="Audit log"
      columns={COLUMNS}
      rows={entries}
      rowKey={(e) => String(e.id)}
      busy={busy ?? false}
    />
  );
}
