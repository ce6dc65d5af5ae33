import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteCharge } from '../api/delete-charge';
import type { Charge } from '../types';

type RemoveChargeDialogProps = { charge: Charge | null; onClose: () => void };

/** Administrators only; open while `charge` is set. A charge an invoice holds is refused (409). */
export function RemoveChargeDialog({ charge, onClose }: RemoveChargeDialogProps) {
  const mutation = useDeleteCharge();
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={charge !== null}
      title="Remove this charge?"
      confirmLabel="Remove charge"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() => {
        if (!charge) return;
        mutation.mutate(charge.id, {
          onSuccess: () => {
            toast.success(`Charge removed: it is not billed to ${charge.account}.`);
            close();
          },
        });
      }}
    >
      <p>
        {charge?.description}, {charge?.amount}
      </p>
      <p>It no longer goes on {charge?.account}’s next invoice.</p>
    </ConfirmDialog>
  );
}
