import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { emailError } from '@/lib/validation';
import { useUpdateAccount } from '../api/update-account';

const FIELDS = ['email'] as const;

type ChangeEmailDialogProps = { name: string; email: string | null; open: boolean; onClose: () => void };

export function ChangeEmailDialog({ name, email, open, onClose }: ChangeEmailDialogProps) {
  const updateMutation = useUpdateAccount(name);
  const finish = () => {
    updateMutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!updateMutation.isPending) finish();
  };
  return (
    <Dialog open={open} onClose={cancel} title={`Change email for ${name}`} size="sm">
      <ChangeEmailForm current={email ?? ''} mutation={updateMutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  current: string;
  mutation: ReturnType<typeof useUpdateAccount>;
  onCancel: () => void;
  onDone: () => void;
};

function ChangeEmailForm({ current, mutation, onCancel, onDone }: FormProps) {
  const [email, setEmail] = useState(current);
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = email.trim();
    if (!errors.validate({ email: emailError(value) })) return;
    if (value === current) return onCancel();
    mutation.mutate(
      { email: value || null },
      {
        onSuccess: (account) => {
          toast.success(`Email for ${account.name} updated.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TextField
        label="Email"
        type="email"
        required={false}
        value={email}
        onChange={(e) => {
          setEmail(e.target.value);
          errors.markEdited('email');
        }}
        error={errors.errorFor('email')}
        hint="Leave empty to remove the address."
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save email
        </Button>
      </div>
    </form>
  );
}
