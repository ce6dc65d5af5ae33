import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Dialog, TextArea, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import {
  ADDRESS_LINE_LENGTH,
  ADDRESS_LINES,
  addressLinesError,
  addressLinesOf,
  taxRateError,
  vatNumberError,
} from '@/lib/validation';
import type { AccountBilling } from '../api/get-account-billing';
import { useSetAccountBilling, type SetAccountBillingInput } from '../api/set-account-billing';

// The gateway names a refused line `customer.N`; the form shows it under its one text box.
const LINE_FIELDS = Array.from({ length: ADDRESS_LINES }, (_, i) => `customer.${i}` as const);
const CUSTOMER_FIELDS = ['customer', ...LINE_FIELDS] as const;
const FIELDS = ['tax_rate', 'vat_number', 'reverse_charge', ...CUSTOMER_FIELDS] as const;

type AccountBillingDialogProps = {
  name: string;
  billing: AccountBilling;
  open: boolean;
  onClose: () => void;
};

/** Administrators only: the account's tax rate, reverse charge, customer lines and VAT number. */
export function AccountBillingDialog({ name, billing, open, onClose }: AccountBillingDialogProps) {
  const mutation = useSetAccountBilling(name);
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
      title={`Billing of ${name}`}
      description="The tax goes on this account’s invoices made from now on; the customer’s lines and VAT number on drafts and on invoices issued from now on. An issued invoice keeps what it was issued with."
    >
      <BillingForm current={billing} mutation={mutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  current: AccountBilling;
  mutation: ReturnType<typeof useSetAccountBilling>;
  onCancel: () => void;
  onDone: () => void;
};

function BillingForm({ current, mutation, onCancel, onDone }: FormProps) {
  const [reverseCharge, setReverseCharge] = useState(current.reverse_charge);
  const [panelRate, setPanelRate] = useState(current.tax_rate === null);
  const [rate, setRate] = useState(current.tax_rate ?? '');
  const [customer, setCustomer] = useState(() => current.customer.join('\n'));
  const [vatNumber, setVatNumber] = useState(current.vat_number ?? '');
  const errors = useFieldErrors(FIELDS, mutation.error);
  const lineError = LINE_FIELDS.map((field, i) => {
    const message = errors.errorFor(field);
    return message && `Line ${i + 1}: ${message}`;
  }).find(Boolean);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typedRate = rate.trim();
    const vat = vatNumber.trim().toUpperCase();
    const ownRate = !reverseCharge && !panelRate;
    const body: SetAccountBillingInput = {
      // Under the reverse charge no tax is billed, whatever the rate: it is sent as null.
      tax_rate: ownRate ? typedRate : null,
      customer: addressLinesOf(customer),
      vat_number: vat || null,
      reverse_charge: reverseCharge,
    };
    const found = {
      tax_rate: ownRate ? taxRateError(typedRate) : undefined,
      customer: addressLinesError(body.customer ?? []),
      vat_number: vat
        ? vatNumberError(vat)
        : reverseCharge
          ? 'A reverse charge needs the customer’s VAT number.'
          : undefined,
    };
    if (!errors.validate(found)) return;
    const saved = {
      tax_rate: current.tax_rate,
      customer: current.customer,
      vat_number: current.vat_number,
      reverse_charge: current.reverse_charge,
    };
    if (JSON.stringify(body) === JSON.stringify(saved)) return onCancel();
    mutation.mutate(body, {
      onSuccess: (done) => {
        toast.success(`Billing of ${done.account} saved.`);
        onDone();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Account billing">
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <Checkbox
        label="Reverse charge"
        hint="A business in another EU country: its invoices bill no tax and say the customer accounts for the VAT. Needs its VAT number."
        checked={reverseCharge}
        onChange={(e) => {
          setReverseCharge(e.target.checked);
          errors.markEdited('reverse_charge');
          errors.markEdited('vat_number');
        }}
        error={errors.errorFor('reverse_charge')}
      />
      {reverseCharge ? null : (
        <Checkbox
          label="Use the panel’s tax rate"
          hint="The rate in the billing settings, whatever it is when an invoice is made."
          checked={panelRate}
          onChange={(e) => {
            setPanelRate(e.target.checked);
            errors.markEdited('tax_rate');
          }}
        />
      )}
      {reverseCharge || panelRate ? null : (
        <TextField
          label="Tax rate (%)"
          inputMode="decimal"
          value={rate}
          onChange={(e) => {
            setRate(e.target.value);
            errors.markEdited('tax_rate');
          }}
          error={errors.errorFor('tax_rate')}
          hint="With two decimals: the rate of the customer’s country, such as 19.00."
          autoComplete="off"
        />
      )}
      <TextArea
        label="Customer"
        required={false}
        rows={5}
        value={customer}
        onChange={(e) => {
          setCustomer(e.target.value);
          for (const field of CUSTOMER_FIELDS) errors.markEdited(field);
        }}
        error={errors.errorFor('customer') ?? lineError}
        hint={`The customer’s name and address as printed on invoices: up to ${ADDRESS_LINES} lines of up to ${ADDRESS_LINE_LENGTH} characters.`}
      />
      <TextField
        label="VAT number"
        required={false}
        value={vatNumber}
        onChange={(e) => {
          setVatNumber(e.target.value);
          errors.markEdited('vat_number');
        }}
        error={errors.errorFor('vat_number')}
        hint="The country’s two letters first, such as DE123456789; empty for none."
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save billing
        </Button>
      </div>
    </form>
  );
}
