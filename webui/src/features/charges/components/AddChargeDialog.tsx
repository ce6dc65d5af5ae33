import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { chargeAmountError, chargeDescriptionError } from '@/lib/validation';
import { useCreateCharge } from '../api/create-charge';

const FIELDS = ['description', 'amount'] as const;

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
    if (!errors.validate({ description: chargeDescriptionError(line), amount: chargeAmountError(typed) }))
      return;
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
