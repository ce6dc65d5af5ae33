import { useMemo } from 'react';
import { Button, Table, type Column } from '@/components/ui';
import { formatBytes, formatDateTime } from '@/lib/format';
import type { FileEntry } from '../types';

export type FileAction =
  'open' | 'download' | 'edit' | 'rename' | 'copy' | 'mode' | 'archive' | 'extract' | 'delete';

const ARCHIVE = /\.(zip|tar\.gz|tgz)$/i;

/** The actions an entry offers: folders open, files download and edit, archives extract. */
export function actionsOf(entry: FileEntry): FileAction[] {
  if (entry.kind === 'folder') return ['open', 'rename', 'copy', 'mode', 'archive', 'delete'];
  if (entry.kind === 'file') {
    const extract: FileAction[] = ARCHIVE.test(entry.name) ? ['extract'] : [];
    return ['download', 'edit', ...extract, 'rename', 'copy', 'mode', 'archive', 'delete'];
  }
  return ['rename', 'delete']; // a link or a FIFO: never opened through
}

const LABELS: Record<FileAction, string> = {
  open: 'Open',
  download: 'Download',
  edit: 'Edit',
  rename: 'Rename or move',
  copy: 'Copy',
  mode: 'Permissions',
  archive: 'Make a zip of',
  extract: 'Extract',
  delete: 'Delete',
};

type OnAction = (action: FileAction, entry: FileEntry) => void;

function NameCell({ entry, onAction }: { entry: FileEntry; onAction: OnAction }) {
  if (entry.kind === 'folder') {
    return (
      <Button variant="ghost" size="sm" onClick={() => onAction('open', entry)}>
        {`${entry.name}/`}
      </Button>
    );
  }
  return <span>{entry.kind === 'link' ? `${entry.name} → ${entry.link_target ?? ''}` : entry.name}</span>;
}

function ModeCell({ entry }: { entry: FileEntry }) {
  return <code>{entry.mode}</code>;
}

function ActionsCell({ entry, onAction }: { entry: FileEntry; onAction: OnAction }) {
  return (
    <div className="row-actions">
      {actionsOf(entry)
        .filter((a) => a !== 'open')
        .map((action) => (
          <Button
            key={action}
            size="sm"
            variant={action === 'delete' ? 'danger' : 'ghost'}
            onClick={() => onAction(action, entry)}
            aria-label={`${LABELS[action]} ${entry.name}`}
          >
            {LABELS[action]}
          </Button>
        ))}
    </div>
  );
}

function columnsFor(onAction: OnAction): Column<FileEntry>[] {
  return [
    { key: 'name', header: 'Name', cell: (e) => <NameCell entry={e} onAction={onAction} /> },
    {
      key: 'size',
      header: 'Size',
      cell: (e) => (e.kind === 'file' ? formatBytes(e.size) : ''),
      align: 'end',
    },
    { key: 'mode', header: 'Permissions', cell: (e) => <ModeCell entry={e} />, secondary: true },
    { key: 'modified', header: 'Modified', cell: (e) => formatDateTime(e.modified_at), secondary: true },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      cell: (e) => <ActionsCell entry={e} onAction={onAction} />,
    },
  ];
}

type FilesTableProps = {
  entries: readonly FileEntry[];
  busy: boolean;
  onAction: OnAction;
};

export function FilesTable({ entries, busy, onAction }: FilesTableProps) {
  const columns = useMemo(() => columnsFor(onAction), [onAction]);
  return <Table caption="Files" columns={columns} rows={entries} rowKey={(e) => e.path} busy={busy} />;
}
