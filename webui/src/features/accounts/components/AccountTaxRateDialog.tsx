import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { taxRateError } from '@/lib/validation';
import { useSetAccountBilling } from '../api/set-account-billing';

const FIELDS = ['tax_rate'] as const;

type AccountTaxRateDialogProps = {
  name: string;
  /** The account's own rate, or null for the panel's. */
  taxRate: string | null;
  open: boolean;
  onClose: () => void;
};

export function AccountTaxRateDialog({ name, taxRate, open, onClose }: AccountTaxRateDialogProps) {
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
      title={`Tax rate of ${name}`}
      description="Applies to this account’s invoices made from now on; those already made keep their rate."
      size="sm"
    >
      <TaxRateForm current={taxRate} mutation={mutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  current: string | null;
  mutation: ReturnType<typeof useSetAccountBilling>;
  onCancel: () => void;
  onDone: () => void;
};

function TaxRateForm({ current, mutation, onCancel, onDone }: FormProps) {
  const [panelRate, setPanelRate] = useState(current === null);
  const [rate, setRate] = useState(current ?? '');
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typed = rate.trim();
    if (!errors.validate({ tax_rate: panelRate ? undefined : taxRateError(typed) })) return;
    const tax_rate = panelRate ? null : typed;
    if (tax_rate === current) return onCancel();
    mutation.mutate(
      { tax_rate },
      {
        onSuccess: (saved) => {
          toast.success(`Tax rate of ${saved.account} saved.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <Checkbox
        label="Use the panel’s tax rate"
        hint="The rate in the billing settings, whatever it is when an invoice is made."
        checked={panelRate}
        onChange={(e) => {
          setPanelRate(e.target.checked);
          errors.markEdited('tax_rate');
        }}
      />
      {panelRate ? null : (
        <TextField
          label="Tax rate (%)"
          inputMode="decimal"
          value={rate}
          onChange={(e) => {
            setRate(e.target.value);
            errors.markEdited('tax_rate');
          }}
          error={errors.errorFor('tax_rate')}
          hint="With two decimals: 0.00 for a business abroad under the reverse charge, else the rate of the customer’s country, such as 19.00."
          autoComplete="off"
        />
      )}
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save tax rate
        </Button>
      </div>
    </form>
  );
}
