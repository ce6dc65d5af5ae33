import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { passwordError } from '@/lib/validation';
import { useUpdateAccount } from '../api/update-account';

const FIELDS = ['password', 'confirm'] as const;

type SetPasswordDialogProps = { name: string; open: boolean; onClose: () => void };

export function SetPasswordDialog({ name, open, onClose }: SetPasswordDialogProps) {
  const updateMutation = useUpdateAccount(name);
  const finish = () => {
    updateMutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!updateMutation.isPending) finish();
  };
  return (
    <Dialog open={open} onClose={cancel} title={`Set password for ${name}`} size="sm">
      <SetPasswordForm mutation={updateMutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

function SetPasswordForm({
  mutation,
  onCancel,
  onDone,
}: {
  mutation: ReturnType<typeof useUpdateAccount>;
  onCancel: () => void;
  onDone: () => void;
}) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      password: passwordError(password),
      confirm: confirm === password ? undefined : 'The passwords do not match.',
    });
    if (!valid) return;
    mutation.mutate(
      { password },
      {
        onSuccess: (account) => {
          toast.success(`Password for ${account.name} changed.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => {
          setPassword(e.target.value);
          errors.markEdited('password');
        }}
        error={errors.errorFor('password')}
        hint="8 to 72 bytes."
      />
      <TextField
        label="Repeat new password"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => {
          setConfirm(e.target.value);
          errors.markEdited('confirm');
        }}
        error={errors.errorFor('confirm')}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Set password
        </Button>
      </div>
    </form>
  );
}
