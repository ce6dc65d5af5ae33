import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, PasswordField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { passwordError } from '@/lib/validation';
import { useUpdateDatabaseUser } from '../api/update-database-user';
import type { DatabaseUser } from '../types';

type DialogProps = { user: DatabaseUser; open: boolean; onClose: () => void };

export function ChangeUserPasswordDialog({ user, open, onClose }: DialogProps) {
  const mutation = useUpdateDatabaseUser(user.name);
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={`Change password of ${user.name}`} size="sm">
      <PasswordForm user={user} mutation={mutation} onCancel={close} />
    </Dialog>
  );
}

type FormProps = {
  user: DatabaseUser;
  mutation: ReturnType<typeof useUpdateDatabaseUser>;
  onCancel: () => void;
};

const FIELDS = ['password'] as const;

function PasswordForm({ user, mutation, onCancel }: FormProps) {
  const [password, setPassword] = useState('');
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate({ password: passwordError(password) })) return;
    mutation.mutate(
      { password },
      {
        onSuccess: () => {
          toast.success(`Password of ${user.name} changed.`);
          mutation.reset();
          onCancel();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <PasswordField
        label="New password"
        name="password"
        value={password}
        onChange={(value) => {
          setPassword(value);
          errors.markEdited('password');
        }}
        error={errors.errorFor('password')}
        hint="Sites that log in as this user need the new password too."
        generate
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
