import { useState, type FormEvent } from 'react';
import { Dialog, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import type { Plan, PlanSettings } from '@/types/api';
import { useUpdatePlan, type UpdatePlanInput } from '../api/update-plan';
import {
  changedLimits,
  changedSettings,
  draftsFrom,
  limitErrors,
  limitsFrom,
  PLAN_FIELDS,
  settingsFrom,
  type LimitDrafts,
} from './plan-form';
import { PlanLimitsForm } from './PlanLimitsForm';

type EditPlanDialogProps = { plan: Plan | null; onClose: () => void };

/** Open while `plan` is set. */
export function EditPlanDialog({ plan, onClose }: EditPlanDialogProps) {
  const mutation = useUpdatePlan(plan?.name ?? '');
  const finish = () => {
    mutation.reset();
    onClose();
  };
  const cancel = () => {
    if (!mutation.isPending) finish();
  };
  return (
    <Dialog open={plan !== null} onClose={cancel} title={`Edit plan ${plan?.name ?? ''}`}>
      {plan ? <EditPlanForm plan={plan} mutation={mutation} onCancel={cancel} onDone={finish} /> : null}
    </Dialog>
  );
}

type FormProps = {
  plan: Plan;
  mutation: ReturnType<typeof useUpdatePlan>;
  onCancel: () => void;
  onDone: () => void;
};

function EditPlanForm({ plan, mutation, onCancel, onDone }: FormProps) {
  const [drafts, setDrafts] = useState<LimitDrafts>(() => draftsFrom(plan));
  const [settings, setSettings] = useState<PlanSettings>(() => settingsFrom(plan));
  const errors = useFieldErrors(PLAN_FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate(limitErrors(drafts))) return;
    const changes: UpdatePlanInput = {
      ...changedLimits(plan, limitsFrom(drafts)),
      ...changedSettings(plan, settings),
    };
    if (Object.keys(changes).length === 0) return onCancel();
    mutation.mutate(changes, {
      onSuccess: (saved) => {
        toast.success(`Plan ${saved.name} saved.`);
        onDone();
      },
    });
  };

  return (
    <PlanLimitsForm
      errors={errors}
      drafts={drafts}
      setDrafts={setDrafts}
      settings={settings}
      setSettings={setSettings}
      onSubmit={submit}
      onCancel={onCancel}
      pending={mutation.isPending}
      submitLabel="Save plan"
    >
      {plan.accounts > 0 ? (
        <p className="muted">
          {plan.accounts === 1 ? 'One account is' : `${plan.accounts} accounts are`} on this plan. A limit
          cannot go below what one of them already uses.
        </p>
      ) : null}
    </PlanLimitsForm>
  );
}
