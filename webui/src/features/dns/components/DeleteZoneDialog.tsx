import { ConfirmDialog, toast } from '@/components/ui';
import { formatInteger } from '@/lib/format';
import { useDeleteZone } from '../api/delete-zone';
import type { DnsZone } from '../types';

type DeleteZoneDialogProps = { zone: DnsZone; open: boolean; onClose: () => void; onDeleted: () => void };

export function DeleteZoneDialog({ zone, open, onClose, onDeleted }: DeleteZoneDialogProps) {
  const mutation = useDeleteZone();
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Delete DNS zone ${zone.name}?`}
      confirmLabel="Delete zone"
      confirmText={zone.name}
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(zone.name, {
          onSuccess: () => {
            toast.success(`DNS zone ${zone.name} deleted.`);
            onDeleted();
          },
        })
      }
    >
      <p>
        This server stops answering for <strong>{zone.name}</strong> and its {formatInteger(zone.records)}{' '}
        {zone.records === 1 ? 'record is' : 'records are'} deleted. If the domain’s nameservers still point
        here, the site and mail stop being found. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
