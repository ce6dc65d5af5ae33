import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteRecord } from '../api/delete-record';
import type { DnsRecord } from '../types';
import { fullRecordName, RecordValue } from './RecordValue';

type DeleteRecordDialogProps = { zone: string; record: DnsRecord; open: boolean; onClose: () => void };

export function DeleteRecordDialog({ zone, record, open, onClose }: DeleteRecordDialogProps) {
  const mutation = useDeleteRecord(zone);
  const close = () => {
    mutation.reset();
    onClose();
  };
  const host = fullRecordName(record.name, zone);
  return (
    <ConfirmDialog
      open={open}
      title={`Delete ${record.type} record for ${host}?`}
      confirmLabel="Delete record"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(record.id, {
          onSuccess: () => {
            toast.success(`${record.type} record for ${host} deleted.`);
            close();
          },
        })
      }
    >
      <p>
        <RecordValue record={record} />
      </p>
      <p>Resolvers stop seeing it once their cached copy expires.</p>
    </ConfirmDialog>
  );
}
