import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { priceError } from '@/lib/validation';
import { useCreateCharge } from '../api/create-charge';

const FIELDS = ['description', 'amount'] as const;

const DESCRIPTION_LENGTH = 200;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** The gateway's rule (gateway/models/charges.py): one line of 1 to 200 characters, not blank. */
function descriptionError(description: string): string | undefined {
  if (!description.trim()) return 'Enter what the charge is for.';
  // The gateway counts characters (code points), not UTF-16 units.
  if ([...description].length > DESCRIPTION_LENGTH) return `Use at most ${DESCRIPTION_LENGTH} characters.`;
  if (CONTROL_CHARS.test(description)) return 'Use one line without control characters, such as a tab.';
  return undefined;
}

/** Money as the gateway takes it: two decimals (priceError's rule), and more than 0.00. */
function amountError(amount: string): string | undefined {
  if (!amount) return 'Enter an amount.';
  if (priceError(amount)) {
    return 'Write the amount with two decimals, such as 25.00 (up to 10 digits before the point).';
  }
  // Compared as text: the amount is never read through a number.
  if (/^0+\.00$/.test(amount)) return 'Enter more than 0.00.';
  return undefined;
}

type AddChargeDialogProps = { account: string; open: boolean; onClose: () => void };

/** Administrators only: a line of its own on the account's next invoice. */
export function AddChargeDialog({ account, open, onClose }: AddChargeDialogProps) {
  const mutation = useCreateCharge();
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
      title={`Add a charge to ${account}`}
      description="It goes on the account’s next invoice as a line of its own, after the plan’s lines. It can be removed until an invoice bills it."
      size="sm"
    >
      <AddChargeForm account={account} mutation={mutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  account: string;
  mutation: ReturnType<typeof useCreateCharge>;
  onCancel: () => void;
  onDone: () => void;
};

function AddChargeForm({ account, mutation, onCancel, onDone }: FormProps) {
  const [description, setDescription] = useState('');
  const [amount, setAmount] = useState('');
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const line = description.trim();
    const typed = amount.trim();
    if (!errors.validate({ description: descriptionError(line), amount: amountError(typed) })) return;
    mutation.mutate(
      { account, description: line, amount: typed },
      {
        onSuccess: () => {
          toast.success(`Charge added to ${account}’s next invoice.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <TextField
        label="Description"
        value={description}
        onChange={(e) => {
          setDescription(e.target.value);
          errors.markEdited('description');
        }}
        error={errors.errorFor('description')}
        hint="One line, as the invoice prints it, such as Set-up fee: up to 200 characters."
        autoComplete="off"
      />
      <TextField
        label="Amount"
        inputMode="decimal"
        value={amount}
        onChange={(e) => {
          setAmount(e.target.value);
          errors.markEdited('amount');
        }}
        error={errors.errorFor('amount')}
        hint="In the billing settings’ currency, before tax, with two decimals, such as 25.00."
        autoComplete="off"
      />
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Add charge
        </Button>
      </div>
    </form>
  );
}
