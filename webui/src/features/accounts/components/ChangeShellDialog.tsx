import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, Select, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import type { AccountShell } from '@/types/api';
import { useUpdateAccount } from '../api/update-account';
import { SHELL_OPTIONS } from './shell-options';

const FIELDS = ['shell'] as const;

type ChangeShellDialogProps = { name: string; shell: AccountShell; open: boolean; onClose: () => void };

export function ChangeShellDialog({ name, shell, open, onClose }: ChangeShellDialogProps) {
  const updateMutation = useUpdateAccount(name);
  const finish = () => {
    updateMutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!updateMutation.isPending) finish();
  };
  return (
    <Dialog open={open} onClose={cancel} title={`Change shell for ${name}`} size="sm">
      <ChangeShellForm current={shell} mutation={updateMutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  current: AccountShell;
  mutation: ReturnType<typeof useUpdateAccount>;
  onCancel: () => void;
  onDone: () => void;
};

function ChangeShellForm({ current, mutation, onCancel, onDone }: FormProps) {
  const [shell, setShell] = useState<AccountShell>(current);
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (shell === current) return onCancel();
    mutation.mutate(
      { shell },
      {
        onSuccess: (account) => {
          toast.success(`Shell for ${account.name} set to ${account.shell}.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <Select
        label="Login shell"
        options={SHELL_OPTIONS}
        value={shell}
        onChange={(e) => {
          setShell(e.target.value as AccountShell);
          errors.markEdited('shell');
        }}
        error={errors.errorFor('shell')}
        hint="nologin keeps SSH and terminal logins closed; file transfer is unaffected."
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Change shell
        </Button>
      </div>
    </form>
  );
}
