import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, PasswordField, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { accountNameError, emailError, passwordError } from '@/lib/validation';
import { useCreateReseller } from '../api/create-reseller';
import { draftsOf, totalErrors, totalsOf, type TotalDrafts } from './totals';
import { TotalsFields } from './TotalsFields';

const FIELDS = [
  'name',
  'password',
  'email',
  'max_accounts',
  'disk_quota_mb',
  'max_domains',
  'max_databases',
] as const;

type CreateResellerDialogProps = { open: boolean; onClose: () => void };

export function CreateResellerDialog({ open, onClose }: CreateResellerDialogProps) {
  const mutation = useCreateReseller();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Create reseller">
      <CreateResellerForm mutation={mutation} onCancel={close} onCreated={onClose} />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateReseller>;
  onCancel: () => void;
  onCreated: () => void;
};

function CreateResellerForm({ mutation, onCancel, onCreated }: FormProps) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [drafts, setDrafts] = useState<TotalDrafts>(() => draftsOf(null));
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      name: accountNameError(name),
      password: passwordError(password),
      email: emailError(email.trim()),
      ...totalErrors(drafts),
    });
    if (!valid) return;
    const input = { name, password, ...totalsOf(drafts), ...(email.trim() ? { email: email.trim() } : {}) };
    mutation.mutate(input, {
      onSuccess: (created) => {
        toast.success(`Reseller ${created.name} created.`);
        mutation.reset();
        onCreated();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TextField
        label="Reseller name"
        name="name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
        hint="The sign-in name; its plans' names start with it and _."
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      <PasswordField
        label="Password"
        name="password"
        value={password}
        onChange={(value) => {
          setPassword(value);
          errors.markEdited('password');
        }}
        error={errors.errorFor('password')}
        generate
      />
      <TextField
        label="Email"
        name="email"
        type="email"
        required={false}
        value={email}
        onChange={(e) => {
          setEmail(e.target.value);
          errors.markEdited('email');
        }}
        error={errors.errorFor('email')}
      />
      <TotalsFields
        drafts={drafts}
        onChange={(key, value) => {
          setDrafts((d) => ({ ...d, [key]: value }));
          errors.markEdited(key);
        }}
        errorFor={errors.errorFor}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Create reseller
        </Button>
      </div>
    </form>
  );
}
