import { useState, type FormEvent } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import { Alert, Button, Dialog, LoadingState, Select, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { priceError } from '@/lib/validation';
import type { Plan } from '@/types/api';
import { usePlanBilling, type PlanBilling } from '../api/get-plan-billing';
import { useSetPlanBilling } from '../api/set-plan-billing';

const FIELDS = ['price', 'billing_period'] as const;

type Period = PlanBilling['billing_period'];
/** Not billed (price null) or billed every period. */
type Choice = 'none' | Period;

const CHOICES: readonly { value: Choice; label: string }[] = [
  { value: 'none', label: 'Not billed' },
  { value: 'month', label: 'Monthly' },
  { value: 'year', label: 'Yearly' },
];

type PlanBillingDialogProps = { plan: Plan | null; onClose: () => void };

/** Administrators only; open while `plan` is set. */
export function PlanBillingDialog({ plan, onClose }: PlanBillingDialogProps) {
  const name = plan?.name ?? '';
  const mutation = useSetPlanBilling(name);
  const finish = () => {
    mutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!mutation.isPending) finish();
  };
  return (
    <Dialog
      open={plan !== null}
      onClose={cancel}
      title={`Billing of plan ${name}`}
      description="Accounts on this plan are billed in arrears: at each month’s or year’s start (UTC), for the period that ended, at the price set then."
      size="sm"
    >
      {plan ? <PlanBillingBody name={name} mutation={mutation} onCancel={cancel} onDone={finish} /> : null}
    </Dialog>
  );
}

type BodyProps = {
  name: string;
  mutation: ReturnType<typeof useSetPlanBilling>;
  onCancel: () => void;
  onDone: () => void;
};

function PlanBillingBody(props: BodyProps) {
  const billing = usePlanBilling(props.name);
  if (billing.isPending) return <LoadingState label="Loading the plan’s billing…" />;
  if (billing.isError) {
    return (
      <ListLoadError what="the plan’s billing" error={billing.error} retry={() => void billing.refetch()} />
    );
  }
  return <PlanBillingForm billing={billing.data} {...props} />;
}

function PlanBillingForm({ billing, mutation, onCancel, onDone }: BodyProps & { billing: PlanBilling }) {
  const [choice, setChoice] = useState<Choice>(billing.price === null ? 'none' : billing.billing_period);
  // The price as typed, kept while "Not billed" is chosen so that choosing a period brings it back.
  const [price, setPrice] = useState(billing.price ?? '');
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typed = price.trim();
    if (!errors.validate({ price: choice === 'none' ? undefined : priceError(typed) })) return;
    // Not billed keeps the period the plan had, for when it is billed again.
    const body =
      choice === 'none'
        ? { price: null, billing_period: billing.billing_period }
        : { price: typed, billing_period: choice };
    if (body.price === billing.price && body.billing_period === billing.billing_period) return onCancel();
    mutation.mutate(body, {
      onSuccess: (saved) => {
        toast.success(`Billing of plan ${saved.plan} saved.`);
        onDone();
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <Select
        label="Billing"
        options={CHOICES}
        value={choice}
        onChange={(e) => {
          setChoice(e.target.value as Choice);
          errors.markEdited('billing_period');
          errors.markEdited('price');
        }}
        error={errors.errorFor('billing_period')}
      />
      {choice === 'none' ? (
        <p className="muted">Accounts on this plan get no invoices for the time they spend on it.</p>
      ) : (
        <TextField
          label={`Price per ${choice}`}
          inputMode="decimal"
          value={price}
          onChange={(e) => {
            setPrice(e.target.value);
            errors.markEdited('price');
          }}
          error={errors.errorFor('price')}
          hint="In the billing settings’ currency, with two decimals, such as 9.90."
          autoComplete="off"
        />
      )}
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
