import { ConfirmDialog, toast } from '@/components/ui';
import { useSuspendAccount } from '../api/suspend-account';

type SuspendAccountDialogProps = { name: string; open: boolean; onClose: () => void };

export function SuspendAccountDialog({ name, open, onClose }: SuspendAccountDialogProps) {
  const suspendMutation = useSuspendAccount();
  const close = () => {
    suspendMutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Suspend account ${name}?`}
      confirmLabel="Suspend account"
      pending={suspendMutation.isPending}
      error={suspendMutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        suspendMutation.mutate(name, {
          onSuccess: () => {
            toast.success(`Account ${name} suspended.`);
            close();
          },
        })
      }
    >
      <p>The owner can no longer sign in, and the account's sites stop serving until it is unsuspended.</p>
    </ConfirmDialog>
  );
}
