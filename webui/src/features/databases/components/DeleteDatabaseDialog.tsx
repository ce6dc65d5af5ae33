import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteDatabase } from '../api/delete-database';
import type { Database } from '../types';

type DialogProps = { database: Database; open: boolean; onClose: () => void };

export function DeleteDatabaseDialog({ database, open, onClose }: DialogProps) {
  const mutation = useDeleteDatabase();
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Delete database ${database.name}?`}
      confirmLabel="Delete database"
      confirmText={database.name}
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(database.name, {
          onSuccess: () => {
            toast.success(`Database ${database.name} deleted.`);
            close();
          },
        })
      }
    >
      <p>
        This <strong>drops every table</strong> in <code>{database.name}</code> with all the data in them. It
        cannot be undone: take a backup first if you may need the data.
      </p>
      {database.users.length > 0 ? (
        <p>Its users ({database.users.join(', ')}) stay, without access to it.</p>
      ) : null}
    </ConfirmDialog>
  );
}
