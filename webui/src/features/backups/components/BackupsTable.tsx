import { useMemo } from 'react';
import { Button, Table, type Column } from '@/components/ui';
import { formatBytes, formatDateTime, formatInteger } from '@/lib/format';
import type { Backup } from '../types';

type Restore = (backup: Backup) => void;

function RestoreButton({ backup, onRestore }: { backup: Backup; onRestore: Restore }) {
  return (
    <Button
      size="sm"
      onClick={() => onRestore(backup)}
      aria-label={`Restore from ${formatDateTime(backup.time)}`}
    >
      Restore…
    </Button>
  );
}

function columnsFor(onRestore: Restore): Column<Backup>[] {
  return [
    { key: 'time', header: 'Taken', cell: (b) => formatDateTime(b.time) },
    { key: 'size', header: 'Files', cell: (b) => `${formatInteger(b.files)} files, ${formatBytes(b.bytes)}` },
    {
      key: 'databases',
      header: 'Databases',
      secondary: true,
      cell: (b) => (b.databases.length ? b.databases.map((d) => d.name).join(', ') : 'None'),
    },
    {
      key: 'added',
      header: 'Stored',
      secondary: true,
      align: 'end',
      cell: (b) => formatBytes(b.added_bytes),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (b) => <RestoreButton backup={b} onRestore={onRestore} />,
    },
  ];
}

export function BackupsTable({ backups, onRestore }: { backups: readonly Backup[]; onRestore: Restore }) {
  const columns = useMemo(() => columnsFor(onRestore), [onRestore]);
  return <Table caption="Backups" columns={columns} rows={backups} rowKey={(b) => b.id} />;
}
