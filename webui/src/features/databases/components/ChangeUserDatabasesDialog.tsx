import type { FormEvent } from 'react';
import { Alert, Button, Dialog, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useDatabaseChoices } from '../api/list-database-choices';
import { useUpdateDatabaseUser } from '../api/update-database-user';
import type { DatabaseUser } from '../types';
import { DatabaseChecklist } from './DatabaseChecklist';
import { useGrants } from './grants';

type DialogProps = { user: DatabaseUser; open: boolean; onClose: () => void };

export function ChangeUserDatabasesDialog({ user, open, onClose }: DialogProps) {
  const mutation = useUpdateDatabaseUser(user.name);
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={`Databases of ${user.name}`}>
      <ChangeDatabasesForm user={user} mutation={mutation} onCancel={close} />
    </Dialog>
  );
}

type FormProps = {
  user: DatabaseUser;
  mutation: ReturnType<typeof useUpdateDatabaseUser>;
  onCancel: () => void;
};

function ChangeDatabasesForm({ user, mutation, onCancel }: FormProps) {
  const grants = useGrants(user.databases);
  const choices = useDatabaseChoices(user.account);
  const errors = useFieldErrors(['databases', ...grants.fields], mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const databases = grants.take(choices.data?.names ?? []);
    mutation.mutate(
      { databases },
      {
        onSuccess: () => {
          toast.success(`Access of ${user.name} saved.`);
          mutation.reset();
          onCancel();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <DatabaseChecklist
        choices={choices}
        grants={grants}
        errorFor={errors.errorFor}
        markEdited={errors.markEdited}
        disabled={mutation.isPending}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending} disabled={!choices.isSuccess}>
          Save access
        </Button>
      </div>
    </form>
  );
}
