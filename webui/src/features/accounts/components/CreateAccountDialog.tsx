import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, Select, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { accountNameError, emailError, passwordError } from '@/lib/validation';
import type { AccountShell } from '@/types/api';
import { useCreateAccount, type CreateAccountInput } from '../api/create-account';
import { usePlanChoices } from '../api/list-plan-choices';
import { PlanSelect } from './PlanSelect';
import { SHELL_OPTIONS } from './shell-options';

const FIELDS = ['name', 'password', 'email', 'shell', 'plan'] as const;
const DEFAULT_PLAN = 'default';

type CreateAccountDialogProps = { open: boolean; onClose: () => void };

export function CreateAccountDialog({ open, onClose }: CreateAccountDialogProps) {
  const createMutation = useCreateAccount();
  const close = () => {
    if (createMutation.isPending) return;
    createMutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Create account">
      <CreateAccountForm mutation={createMutation} onCancel={close} onCreated={onClose} />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateAccount>;
  onCancel: () => void;
  onCreated: () => void;
};

function CreateAccountForm({ mutation, onCancel, onCreated }: FormProps) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [shell, setShell] = useState<AccountShell>('nologin');
  const [chosenPlan, setPlan] = useState<string | null>(null);
  const planChoices = usePlanChoices();
  // A reseller sees only its own plans, and the default plan is not one of them: until a plan
  // is chosen, the default one where it is offered, else the first offered.
  const offered = planChoices.data ?? [];
  const plan = chosenPlan ?? (offered.includes(DEFAULT_PLAN) ? DEFAULT_PLAN : (offered[0] ?? DEFAULT_PLAN));
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      name: accountNameError(name),
      password: passwordError(password),
      email: emailError(email.trim()),
    });
    if (!valid) return;
    const input: CreateAccountInput = { name, password, shell };
    if (email.trim()) input.email = email.trim();
    // Without the list the choice was not the user's: the gateway's default applies.
    if (planChoices.isSuccess) input.plan = plan;
    mutation.mutate(input, {
      onSuccess: (account) => {
        toast.success(`Account ${account.name} created.`);
        mutation.reset();
        onCreated();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TextField
        label="Account name"
        name="name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
        hint="Lowercase letters, digits and _, starting with a letter; 3 to 32 characters."
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        value={password}
        onChange={(e) => {
          setPassword(e.target.value);
          errors.markEdited('password');
        }}
        error={errors.errorFor('password')}
        hint="8 to 72 bytes."
        autoComplete="new-password"
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
        autoComplete="off"
      />
      <Select
        label="Shell"
        name="shell"
        options={SHELL_OPTIONS}
        value={shell}
        onChange={(e) => {
          setShell(e.target.value as AccountShell);
          errors.markEdited('shell');
        }}
        error={errors.errorFor('shell')}
      />
      <PlanSelect
        choices={planChoices}
        value={plan}
        onChange={(value) => {
          setPlan(value);
          errors.markEdited('plan');
        }}
        error={errors.errorFor('plan')}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Create account
        </Button>
      </div>
    </form>
  );
}
