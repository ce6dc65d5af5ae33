import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Dialog, Select, Spinner, TextField, toast } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useDebouncedValue } from '@/lib/use-debounced-value';
import { useFieldErrors } from '@/lib/use-field-errors';
import { accountNameError, domainNameError, normalizeDomainName } from '@/lib/validation';
import { useCreateZone, type CreateZoneInput } from '../api/create-zone';
import { useDomainChoices, type ZoneNameChoice } from '../api/list-domain-choices';
import { useZoneNames } from '../api/list-zone-names';
import type { DnsZone } from '../types';

type CreateZoneDialogProps = {
  open: boolean;
  onClose: () => void;
  /** Called with the new zone, to open it. */
  onCreated: (zone: DnsZone) => void;
  area: Area;
  /** Administrators: the account to fill in (the list's account filter). */
  account?: string | undefined;
};

export function CreateZoneDialog({ open, onClose, onCreated, area, account }: CreateZoneDialogProps) {
  const mutation = useCreateZone();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Add DNS zone">
      <CreateZoneForm
        mutation={mutation}
        onCancel={close}
        onCreated={onCreated}
        area={area}
        initialAccount={account ?? ''}
      />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateZone>;
  onCancel: () => void;
  onCreated: (zone: DnsZone) => void;
  area: Area;
  initialAccount: string;
};

const FIELDS = ['name', 'account', 'default_records'] as const;

function CreateZoneForm({ mutation, onCancel, onCreated, area, initialAccount }: FormProps) {
  const [account, setAccount] = useState(initialAccount);
  const [chosen, setChosen] = useState('');
  const [typed, setTyped] = useState('');
  const [withDefaults, setWithDefaults] = useState(true);
  const errors = useFieldErrors(FIELDS, mutation.error);

  const owner = account.trim().toLowerCase();
  const choicesFor = useDebouncedValue(area === 'admin' ? owner : '');
  const accountKnown = area === 'panel' || accountNameError(choicesFor) === undefined;
  const choices = useFreeZoneNames(choicesFor, accountKnown);
  const options = choices.data?.options ?? [];
  // More domains than a select can sensibly hold: type the name instead.
  const typeName = choices.data?.complete === false;
  const picked = options.some((o) => o.value === chosen) ? chosen : (options[0]?.value ?? '');
  const name = typeName ? normalizeDomainName(typed) : picked;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valid = errors.validate({
      account: area === 'admin' ? accountNameError(owner) : undefined,
      name: typeName ? domainNameError(typed) : undefined,
    });
    if (!valid || !name) return;
    const input: CreateZoneInput = { name, default_records: withDefaults };
    if (area === 'admin') input.account = owner;
    mutation.mutate(input, {
      onSuccess: (zone) => {
        toast.success(`DNS zone ${zone.name} added.`);
        mutation.reset();
        onCreated(zone);
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      {area === 'admin' ? (
        <TextField
          label="Account"
          name="account"
          value={account}
          onChange={(e) => {
            setAccount(e.target.value);
            setChosen('');
            errors.markEdited('account');
          }}
          error={errors.errorFor('account')}
          hint="The account whose domain the zone is for."
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
        />
      ) : null}
      <DomainChoice
        choices={choices}
        accountKnown={accountKnown}
        typeName={typeName}
        value={typeName ? typed : name}
        onChange={(value) => {
          if (typeName) setTyped(value);
          else setChosen(value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
      />
      <Checkbox
        label="Start with the usual records"
        hint="A records for the domain, www and mail pointing at this server, MX to mail, and an SPF record. Leave unticked for an empty zone."
        checked={withDefaults}
        onChange={(e) => {
          setWithDefaults(e.target.checked);
          errors.markEdited('default_records');
        }}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="primary"
          pending={mutation.isPending}
          // Nothing to name the zone after (still loading, no domains, or each has its zone).
          disabled={accountKnown && !typeName && !name}
        >
          Add zone
        </Button>
      </div>
    </form>
  );
}

type FreeZoneNames = {
  /** The account's domains and aliases that have no zone yet. */
  options: ZoneNameChoice[];
  /** How many domains and aliases the account has, zone or not. */
  names: number;
  /** False past the walk's bound: the name is typed instead. */
  complete: boolean;
};

/**
 * The names a new zone may take: the account's domains and aliases less those that name a zone
 * already. Past the zones' walk bound a taken name may still be offered; the gateway's 409
 * says so.
 */
function useFreeZoneNames(account: string, enabled: boolean) {
  const domains = useDomainChoices(account, enabled);
  const zones = useZoneNames(account, enabled);
  const error = domains.error ?? zones.error;
  let data: FreeZoneNames | undefined;
  if (domains.data && zones.data) {
    const taken = new Set(zones.data.names);
    data = {
      options: domains.data.choices.filter((c) => !taken.has(c.value)),
      names: domains.data.choices.length,
      complete: domains.data.complete,
    };
  }
  const retry = () => {
    if (domains.isError) void domains.refetch();
    if (zones.isError) void zones.refetch();
  };
  return { data, error, retry };
}

type DomainChoiceProps = {
  choices: ReturnType<typeof useFreeZoneNames>;
  accountKnown: boolean;
  typeName: boolean;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
};

/** The zone's name: one of the account's domains or aliases that has no zone yet. */
function DomainChoice({ choices, accountKnown, typeName, value, onChange, error }: DomainChoiceProps) {
  const hint = 'A zone is named after one of the account’s domains or aliases.';
  if (!accountKnown) return <p className="muted">Enter the account to choose one of its domains.</p>;
  if (choices.error) {
    return (
      <Alert
        tone="error"
        title="Could not load the domains"
        action={
          <Button size="sm" onClick={choices.retry}>
            Try again
          </Button>
        }
      >
        {choices.error.message}
      </Alert>
    );
  }
  if (!choices.data) return <Spinner label="Loading domains…" />;
  if (typeName) {
    return (
      <TextField
        label="Domain"
        name="name"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        hint={hint}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
    );
  }
  if (choices.data.names === 0) {
    return (
      <Alert tone="info" title="No domains yet">
        A zone is named after a domain of the account. Add the website first.
      </Alert>
    );
  }
  if (choices.data.options.length === 0) {
    return (
      <Alert tone="info" title="Every domain has a DNS zone">
        Each domain and alias of the account has its zone already. Add a website to add a zone for it.
      </Alert>
    );
  }
  return (
    <Select
      label="Domain"
      name="name"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      options={choices.data.options}
      error={error}
      hint={hint}
    />
  );
}
