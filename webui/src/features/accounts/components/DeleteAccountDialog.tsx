import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteAccount } from '../api/delete-account';

type DeleteAccountDialogProps = {
  name: string;
  open: boolean;
  onClose: () => void;
  onDeleted: () => void;
};

export function DeleteAccountDialog({ name, open, onClose, onDeleted }: DeleteAccountDialogProps) {
  const deleteMutation = useDeleteAccount();
  const close = () => {
    deleteMutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Delete account ${name}?`}
      confirmLabel="Delete account"
      confirmText={name}
      pending={deleteMutation.isPending}
      error={deleteMutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        deleteMutation.mutate(name, {
          onSuccess: () => {
            toast.success(`Account ${name} deleted.`);
            onDeleted();
          },
        })
      }
    >
      <p>
        This removes the system user <strong>{name}</strong>, its home directory and everything the account
        hosts. It cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
