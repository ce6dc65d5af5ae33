import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, PasswordField, PrefixedTextField, toast } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useOwnAccountName } from '@/lib/use-own-account-name';
import { accountNameError, passwordError } from '@/lib/validation';
import { useCreateDatabaseUser, type CreateDatabaseUserInput } from '../api/create-database-user';
import { useDatabaseChoices } from '../api/list-database-choices';
import { AccountField } from './AccountField';
import { DatabaseChecklist } from './DatabaseChecklist';
import { useGrants } from './grants';
import { fullName, nameHint, nameRestError, prefixFor, USER_NAME_MAX } from './names';

type CreateDatabaseUserDialogProps = {
  open: boolean;
  onClose: () => void;
  area: Area;
  /** Administrators: the account to fill in (the list's account filter). */
  account?: string | undefined;
};

export function CreateDatabaseUserDialog({ open, onClose, area, account }: CreateDatabaseUserDialogProps) {
  const mutation = useCreateDatabaseUser();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Create database user">
      <CreateUserForm mutation={mutation} onCancel={close} area={area} initialAccount={account ?? ''} />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateDatabaseUser>;
  onCancel: () => void;
  area: Area;
  initialAccount: string;
};

function CreateUserForm({ mutation, onCancel, area, initialAccount }: FormProps) {
  const ownAccount = useOwnAccountName();
  const [accountInput, setAccountInput] = useState(initialAccount);
  const [rest, setRest] = useState('');
  const [password, setPassword] = useState('');
  const grants = useGrants();
  const errors = useFieldErrors(
    ['name', 'password', 'account', 'databases', ...grants.fields],
    mutation.error,
  );

  const account = area === 'admin' ? accountInput.trim().toLowerCase() : ownAccount;
  // An administrator types the account: list its databases once the name looks complete.
  const choicesFor = useDebouncedValue(account);
  const accountKnown = area === 'panel' || accountNameError(choicesFor) === undefined;
  const choices = useDatabaseChoices(choicesFor, accountKnown);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      account: area === 'admin' ? accountNameError(account) : undefined,
      name: nameRestError(account, rest, USER_NAME_MAX),
      password: passwordError(password),
    });
    if (!valid) return;
    const input: CreateDatabaseUserInput = { name: fullName(account, rest), password };
    const databases = grants.take(choices.data?.names ?? []);
    if (databases.length > 0) input.databases = databases;
    if (area === 'admin') input.account = account;
    mutation.mutate(input, {
      onSuccess: (user) => {
        toast.success(`Database user ${user.name} created.`);
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
          what="user"
        />
      ) : null}
      <PrefixedTextField
        label="User name"
        name="name"
        prefix={prefixFor(account)}
        value={rest}
        onChange={(e) => {
          setRest(e.target.value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
        hint={nameHint(account, rest, USER_NAME_MAX)}
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
        hint="8 to 72 characters. Generate one and keep it in your site’s configuration."
        generate
      />
      <DatabaseChecklist
        choices={choices}
        grants={grants}
        errorFor={errors.errorFor}
        markEdited={errors.markEdited}
        disabled={mutation.isPending}
        placeholder={accountKnown ? undefined : 'Enter the account to choose from its databases.'}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Create user
        </Button>
      </div>
    </form>
  );
}
