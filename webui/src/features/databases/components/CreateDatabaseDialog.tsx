import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, PrefixedTextField, toast } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useOwnAccountName } from '@/lib/use-own-account-name';
import { accountNameError } from '@/lib/validation';
import { useCreateDatabase, type CreateDatabaseInput } from '../api/create-database';
import { AccountField } from './AccountField';
import { DATABASE_NAME_MAX, fullName, nameHint, nameRestError, prefixFor } from './names';

type CreateDatabaseDialogProps = {
  open: boolean;
  onClose: () => void;
  area: Area;
  /** Administrators: the account to fill in (the list's account filter). */
  account?: string | undefined;
};

export function CreateDatabaseDialog({ open, onClose, area, account }: CreateDatabaseDialogProps) {
  const mutation = useCreateDatabase();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Create database">
      <CreateDatabaseForm mutation={mutation} onCancel={close} area={area} initialAccount={account ?? ''} />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateDatabase>;
  onCancel: () => void;
  area: Area;
  initialAccount: string;
};

const FIELDS = ['name', 'account'] as const;

function CreateDatabaseForm({ mutation, onCancel, area, initialAccount }: FormProps) {
  const ownAccount = useOwnAccountName();
  const [accountInput, setAccountInput] = useState(initialAccount);
  const [rest, setRest] = useState('');
  const errors = useFieldErrors(FIELDS, mutation.error);
  const account = area === 'admin' ? accountInput.trim().toLowerCase() : ownAccount;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      account: area === 'admin' ? accountNameError(account) : undefined,
      name: nameRestError(account, rest, DATABASE_NAME_MAX),
    });
    if (!valid) return;
    const input: CreateDatabaseInput = { name: fullName(account, rest) };
    if (area === 'admin') input.account = account;
    mutation.mutate(input, {
      onSuccess: (database) => {
        toast.success(`Database ${database.name} created.`);
        mutation.reset();
        onCancel();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? (
        <Alert tone="error" title={mutation.error?.status === 403 ? mutation.error.title : undefined}>
          {errors.formError}
        </Alert>
      ) : null}
      {area === 'admin' ? (
        <AccountField
          value={accountInput}
          onChange={(value) => {
            setAccountInput(value);
            errors.markEdited('account');
          }}
          error={errors.errorFor('account')}
          what="database"
        />
      ) : null}
      <PrefixedTextField
        label="Database name"
        name="name"
        prefix={prefixFor(account)}
        value={rest}
        onChange={(e) => {
          setRest(e.target.value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
        hint={nameHint(account, rest, DATABASE_NAME_MAX)}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Create database
        </Button>
      </div>
    </form>
  );
}
