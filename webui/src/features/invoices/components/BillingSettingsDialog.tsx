import { useState, type FormEvent } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import { Alert, Button, Dialog, LoadingState, TextArea, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import {
  ADDRESS_LINE_LENGTH,
  ADDRESS_LINES,
  addressLinesError,
  addressLinesOf,
  taxRateError,
} from '@/lib/validation';
import { useBillingSettings } from '../api/get-billing-settings';
import { useSetBillingSettings } from '../api/set-billing-settings';
import type { BillingSettings } from '../types';

// The gateway names a refused line `seller.N`; the form shows it under its one text box.
const LINE_FIELDS = Array.from({ length: ADDRESS_LINES }, (_, i) => `seller.${i}` as const);
const SELLER_FIELDS = ['seller', ...LINE_FIELDS] as const;
const FIELDS = ['currency', 'tax_rate', ...SELLER_FIELDS] as const;

function currencyError(code: string): string | undefined {
  return /^[A-Z]{3}$/.test(code) ? undefined : 'Three letters of ISO 4217, such as EUR or USD.';
}

type BillingSettingsDialogProps = { open: boolean; onClose: () => void };

/** Administrators only: the currency, tax rate and seller of invoices (GET/PUT /billing-settings). */
export function BillingSettingsDialog({ open, onClose }: BillingSettingsDialogProps) {
  const mutation = useSetBillingSettings();
  const finish = () => {
    mutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!mutation.isPending) finish();
  };
  return (
    <Dialog
      open={open}
      onClose={cancel}
      title="Billing settings"
      description="Changes apply to invoices made from now on: an invoice keeps the currency and tax rate it was made with. The seller’s lines go on drafts and on invoices issued from now on; an issued invoice keeps the lines it was issued with."
    >
      <BillingSettingsBody mutation={mutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type BodyProps = {
  mutation: ReturnType<typeof useSetBillingSettings>;
  onCancel: () => void;
  onDone: () => void;
};

function BillingSettingsBody(props: BodyProps) {
  const settings = useBillingSettings();
  if (settings.isPending) return <LoadingState label="Loading the billing settings…" />;
  if (settings.isError) {
    return (
      <ListLoadError
        what="the billing settings"
        error={settings.error}
        retry={() => void settings.refetch()}
      />
    );
  }
  return <BillingSettingsForm settings={settings.data} {...props} />;
}

function BillingSettingsForm({
  settings,
  mutation,
  onCancel,
  onDone,
}: BodyProps & { settings: BillingSettings }) {
  const [currency, setCurrency] = useState(settings.currency);
  const [taxRate, setTaxRate] = useState(settings.tax_rate);
  const [seller, setSeller] = useState(() => (settings.seller ?? []).join('\n'));
  const errors = useFieldErrors(FIELDS, mutation.error);
  const lineError = LINE_FIELDS.map((field, i) => {
    const message = errors.errorFor(field);
    return message && `Line ${i + 1}: ${message}`;
  }).find(Boolean);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = {
      currency: currency.trim().toUpperCase(),
      tax_rate: taxRate.trim(),
      seller: addressLinesOf(seller),
    };
    const found = {
      currency: currencyError(body.currency),
      tax_rate: taxRateError(body.tax_rate),
      seller: addressLinesError(body.seller),
    };
    if (!errors.validate(found)) return;
    const saved = { currency: settings.currency, tax_rate: settings.tax_rate, seller: settings.seller ?? [] };
    if (JSON.stringify(body) === JSON.stringify(saved)) return onCancel();
    mutation.mutate(body, {
      onSuccess: () => {
        toast.success('Billing settings saved.');
        onDone();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Billing settings">
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TextField
        label="Currency"
        value={currency}
        onChange={(e) => {
          setCurrency(e.target.value);
          errors.markEdited('currency');
        }}
        error={errors.errorFor('currency')}
        hint="ISO 4217 code, such as EUR or USD. Plans’ prices are in this currency."
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
      />
      <TextField
        label="Tax rate (%)"
        inputMode="decimal"
        value={taxRate}
        onChange={(e) => {
          setTaxRate(e.target.value);
          errors.markEdited('tax_rate');
        }}
        error={errors.errorFor('tax_rate')}
        hint="With two decimals, such as 19.00. An account with a rate of its own keeps it."
        autoComplete="off"
      />
      <TextArea
        label="Seller"
        required={false}
        rows={5}
        value={seller}
        onChange={(e) => {
          setSeller(e.target.value);
          for (const field of SELLER_FIELDS) errors.markEdited(field);
        }}
        error={errors.errorFor('seller') ?? lineError}
        hint={`Your name and address as printed on invoices: up to ${ADDRESS_LINES} lines of up to ${ADDRESS_LINE_LENGTH} characters.`}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save settings
        </Button>
      </div>
    </form>
  );
}
