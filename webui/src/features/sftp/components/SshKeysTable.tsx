import { useMemo, useState } from 'react';
import { Badge, Button, ConfirmDialog, Table, toast, type Column } from '@/components/ui';
import { isApiError } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';
import { useDeleteSshKey } from '../api/delete-ssh-key';
import type { SshKey } from '../types';

function KeyName({ sshKey }: { sshKey: SshKey }) {
  return sshKey.comment ? <span>{sshKey.comment}</span> : <span className="muted">(no name)</span>;
}

function KeyAction({ sshKey, onRemove }: { sshKey: SshKey; onRemove: (key: SshKey) => void }) {
  if (sshKey.status !== 'active') {
    return <Badge tone="warning">{sshKey.status === 'pending' ? 'Pending' : 'Removing'}</Badge>;
  }
  return (
    <Button
      size="sm"
      variant="ghost"
      onClick={() => onRemove(sshKey)}
      aria-label={`Remove key: ${sshKey.fingerprint}`}
    >
      Remove
    </Button>
  );
}

function columnsFor(onRemove: (key: SshKey) => void): Column<SshKey>[] {
  return [
    { key: 'name', header: 'Name', cell: (k) => <KeyName sshKey={k} /> },
    { key: 'fingerprint', header: 'Fingerprint', cell: (k) => <code>{k.fingerprint}</code> },
    { key: 'type', header: 'Type', cell: (k) => `${k.type} (${k.bits} bits)`, secondary: true },
    { key: 'added', header: 'Added', cell: (k) => formatDateTime(k.created_at), secondary: true },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (k) => <KeyAction sshKey={k} onRemove={onRemove} />,
    },
  ];
}

export function SshKeysTable({ keys }: { keys: readonly SshKey[] }) {
  const [removing, setRemoving] = useState<SshKey | null>(null);
  const remove = useDeleteSshKey();
  const columns = useMemo(() => columnsFor(setRemoving), []);

  return (
    <>
      <Table caption="SSH keys" columns={columns} rows={keys} rowKey={(k) => k.id} />
      <ConfirmDialog
        open={removing !== null}
        title="Remove this key?"
        confirmLabel="Remove key"
        tone="danger"
        pending={remove.isPending}
        error={isApiError(remove.error) ? (remove.error.detail ?? remove.error.title) : undefined}
        onCancel={() => {
          remove.reset();
          setRemoving(null);
        }}
        onConfirm={() => {
          if (!removing) return;
          remove.mutate(removing.id, {
            onSuccess: () => {
              toast.success('Key removed: it no longer signs in.');
              setRemoving(null);
            },
          });
        }}
      >
        Whoever holds <code>{removing?.fingerprint}</code> can no longer sign in over SFTP.
      </ConfirmDialog>
    </>
  );
}
