import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useOwnAccountName } from '@/lib/use-own-account-name';
import { accountNameError, domainNameError, normalizeDomainName } from '@/lib/validation';
import { useCreateDomain, type CreateDomainInput } from '../api/create-domain';
import { usePhpVersions } from '../api/list-php-versions';
import type { DomainsArea } from '../types';
import { aliasErrors, aliasesFrom, aliasField, useAliasRows } from './alias-rows';
import { AliasesEditor } from './AliasesEditor';
import { BACKEND_FIELDS, backendDraft, backendErrors, backendFrom, type BackendDraft } from './backend-form';
import { BackendFields } from './BackendFields';

type AddDomainDialogProps = {
  open: boolean;
  onClose: () => void;
  area: DomainsArea;
  /** Administrators: the account to fill in (the list's account filter). */
  account?: string | undefined;
};

export function AddDomainDialog({ open, onClose, area, account }: AddDomainDialogProps) {
  const mutation = useCreateDomain();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Add domain">
      <AddDomainForm mutation={mutation} onCancel={close} area={area} initialAccount={account ?? ''} />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateDomain>;
  onCancel: () => void;
  area: DomainsArea;
  initialAccount: string;
};

function AddDomainForm({ mutation, onCancel, area, initialAccount }: FormProps) {
  const [name, setName] = useState('');
  const [account, setAccount] = useState(initialAccount);
  const aliases = useAliasRows();
  const [backend, setBackend] = useState<BackendDraft>(() => backendDraft());
  const ownAccount = useOwnAccountName();
  // Whose socket folder the proxy backend names: the owner's own, or the account typed in.
  const siteAccount = area === 'admin' ? account.trim() : ownAccount;
  const [withZone, setWithZone] = useState(false);
  const phpVersions = usePhpVersions();
  const fields = [
    'name',
    'account',
    'aliases',
    ...aliases.rows.map((_, i) => aliasField(i)),
    ...BACKEND_FIELDS,
    'dns_zone',
  ];
  const errors = useFieldErrors(fields, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      name: domainNameError(name),
      account: area === 'admin' ? accountNameError(account.trim()) : undefined,
      ...aliasErrors(aliases.rows, name),
      ...backendErrors(backend, phpVersions.data, siteAccount),
    });
    if (!valid) return;
    const input: CreateDomainInput = {
      name: normalizeDomainName(name),
      backend: backendFrom(backend, phpVersions.data),
    };
    if (area === 'admin') input.account = account.trim();
    if (aliases.rows.length > 0) input.aliases = aliasesFrom(aliases.rows);
    // Only when asked: the API's default is no zone.
    if (withZone) input.dns_zone = true;
    mutation.mutate(input, {
      onSuccess: (domain) => {
        toast.success(`Domain ${domain.unicode_name} added.`);
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
      <TextField
        label="Domain name"
        name="name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
        hint="Such as example.com. Names in any script (bücher.example) work too."
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      {area === 'admin' ? (
        <TextField
          label="Account"
          name="account"
          value={account}
          onChange={(e) => {
            setAccount(e.target.value);
            errors.markEdited('account');
          }}
          error={errors.errorFor('account')}
          hint="The account that owns the site."
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
        />
      ) : null}
      <AliasesEditor
        rows={aliases.rows}
        onAdd={aliases.add}
        onRemove={aliases.remove}
        onUpdate={aliases.update}
        errorFor={errors.errorFor}
        markEdited={errors.markEdited}
      />
      <BackendFields
        draft={backend}
        onChange={(draft, field) => {
          setBackend(draft);
          errors.markEdited(field);
        }}
        errorFor={errors.errorFor}
        phpVersions={phpVersions}
        account={siteAccount}
      />
      <Checkbox
        label="Also create a DNS zone for this domain"
        hint="With the usual records: the domain, www and mail at this server, MX and SPF. It takes effect once the domain’s nameservers point here."
        checked={withZone}
        onChange={(e) => {
          setWithZone(e.target.checked);
          errors.markEdited('dns_zone');
        }}
        error={errors.errorFor('dns_zone')}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Add domain
        </Button>
      </div>
    </form>
  );
}
