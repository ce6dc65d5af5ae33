import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteDatabaseUser } from '../api/delete-database-user';
import type { DatabaseUser } from '../types';

type DialogProps = { user: DatabaseUser; open: boolean; onClose: () => void };

export function DeleteDatabaseUserDialog({ user, open, onClose }: DialogProps) {
  const mutation = useDeleteDatabaseUser();
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Delete database user ${user.name}?`}
      confirmLabel="Delete user"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(user.name, {
          onSuccess: () => {
            toast.success(`Database user ${user.name} deleted.`);
            close();
          },
        })
      }
    >
      <p>
        <code>{user.name}</code> can no longer log in, and sites that use it lose their database connection.
        The databases it used stay, with their data.
      </p>
    </ConfirmDialog>
  );
}
