import { useMemo, useState } from 'react';
import { Button, Table, type Column } from '@/components/ui';
import type { DnsRecord } from '../types';
import { DeleteRecordDialog } from './DeleteRecordDialog';
import { RecordDialog } from './RecordDialog';
import { formatTtl, fullRecordName, RecordValue } from './RecordValue';

type Open = { record: DnsRecord; dialog: 'edit' | 'delete' } | null;

const TYPE_ORDER = ['NS', 'A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA'];

/** The API pages records by id; on screen they read best by name, then type. */
function byNameThenType(a: DnsRecord, b: DnsRecord): number {
  const apex = (r: DnsRecord) => (r.name === '@' ? '' : r.name);
  return apex(a).localeCompare(apex(b)) || TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type);
}

type ActionsProps = { zone: string; record: DnsRecord; onOpen: (open: Open) => void };

function RecordActions({ zone, record, onOpen }: ActionsProps) {
  const label = `${record.type} record ${fullRecordName(record.name, zone)}`;
  return (
    <span className="actions actions--row">
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Edit ${label}`}
        onClick={() => onOpen({ record, dialog: 'edit' })}
      >
        Edit
      </Button>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Delete ${label}`}
        onClick={() => onOpen({ record, dialog: 'delete' })}
      >
        Delete
      </Button>
    </span>
  );
}

function RecordName({ zone, record }: { zone: string; record: DnsRecord }) {
  return (
    <span className="cell-stack">
      <code className="cell-code">{record.name}</code>{' '}
      <span className="cell-sub">{fullRecordName(record.name, zone)}</span>
    </span>
  );
}

function columnsFor(zone: string, editable: boolean, onOpen: (open: Open) => void): Column<DnsRecord>[] {
  const columns: Column<DnsRecord>[] = [
    { key: 'type', header: 'Type', cell: (r) => <strong>{r.type}</strong> },
    { key: 'name', header: 'Name', cell: (r) => <RecordName zone={zone} record={r} /> },
    { key: 'value', header: 'Value', cell: (r) => <RecordValue record={r} /> },
    { key: 'ttl', header: 'TTL', secondary: true, cell: (r) => formatTtl(r.ttl) },
  ];
  if (editable) {
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (r) => <RecordActions zone={zone} record={r} onOpen={onOpen} />,
    });
  }
  return columns;
}

type RecordsTableProps = { zone: string; records: readonly DnsRecord[]; busy?: boolean; editable: boolean };

export function RecordsTable({ zone, records, busy = false, editable }: RecordsTableProps) {
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const columns = useMemo(() => columnsFor(zone, editable, setOpen), [zone, editable]);
  const rows = useMemo(() => [...records].sort(byNameThenType), [records]);
  return (
    <>
      <Table caption={`Records of ${zone}`} columns={columns} rows={rows} rowKey={(r) => r.id} busy={busy} />
      {open?.dialog === 'edit' ? (
        <RecordDialog zone={zone} record={open.record} open onClose={close} />
      ) : null}
      {open?.dialog === 'delete' ? (
        <DeleteRecordDialog zone={zone} record={open.record} open onClose={close} />
      ) : null}
    </>
  );
}
