import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { usePlanChoices } from '../api/list-plan-choices';
import { useUpdateAccount } from '../api/update-account';
import { PlanSelect } from './PlanSelect';

const FIELDS = ['plan'] as const;

type ChangePlanDialogProps = { name: string; plan: string; open: boolean; onClose: () => void };

export function ChangePlanDialog({ name, plan, open, onClose }: ChangePlanDialogProps) {
  const updateMutation = useUpdateAccount(name);
  const finish = () => {
    updateMutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!updateMutation.isPending) finish();
  };
  return (
    <Dialog open={open} onClose={cancel} title={`Change plan for ${name}`} size="sm">
      <ChangePlanForm current={plan} mutation={updateMutation} onCancel={cancel} onDone={finish} />
    </Dialog>
  );
}

type FormProps = {
  current: string;
  mutation: ReturnType<typeof useUpdateAccount>;
  onCancel: () => void;
  onDone: () => void;
};

function ChangePlanForm({ current, mutation, onCancel, onDone }: FormProps) {
  const [plan, setPlan] = useState(current);
  const choices = usePlanChoices();
  const errors = useFieldErrors(FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (plan === current) return onCancel();
    mutation.mutate(
      { plan },
      {
        onSuccess: (account) => {
          toast.success(`${account.name} is now on plan ${account.plan}.`);
          onDone();
        },
      },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <PlanSelect
        label="New plan"
        choices={choices}
        value={plan}
        onChange={(value) => {
          setPlan(value);
          errors.markEdited('plan');
        }}
        error={errors.errorFor('plan')}
      />
      <p className="field__hint">
        The move is refused if the account already uses more than the new plan allows.
      </p>
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending} disabled={!choices.isSuccess}>
          Change plan
        </Button>
      </div>
    </form>
  );
}
