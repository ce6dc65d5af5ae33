import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteReseller } from '../api/delete-reseller';
import type { Reseller } from '../api/list-resellers';

type DeleteResellerDialogProps = { reseller: Reseller | null; onClose: () => void };

/** Open while `reseller` is set. The gateway refuses (409) while accounts are on its plans. */
export function DeleteResellerDialog({ reseller, onClose }: DeleteResellerDialogProps) {
  const mutation = useDeleteReseller();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  const name = reseller?.name ?? '';
  const accounts = reseller?.reserved.max_accounts ?? 0;
  return (
    <ConfirmDialog
      open={reseller !== null}
      title={`Delete reseller ${name}?`}
      confirmLabel="Delete reseller"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(name, {
          onSuccess: () => {
            toast.success(`Reseller ${name} deleted.`);
            mutation.reset();
            onClose();
          },
        })
      }
    >
      {accounts > 0 ? (
        <p>
          {accounts === 1 ? 'One account is' : `${accounts} accounts are`} on its plans: move{' '}
          {accounts === 1 ? 'it' : 'them'} to your own plans, or delete {accounts === 1 ? 'it' : 'them'},
          first.
        </p>
      ) : (
        <p>
          The reseller <strong>{name}</strong> and its plans are removed; it can no longer sign in.
        </p>
      )}
    </ConfirmDialog>
  );
}
