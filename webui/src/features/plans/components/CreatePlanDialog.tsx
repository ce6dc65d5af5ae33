import { useState, type FormEvent } from 'react';
import { Dialog, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { planNameError } from '@/lib/validation';
import type { PlanSettings } from '@/types/api';
import { useCreatePlan } from '../api/create-plan';
import {
  draftsFrom,
  limitErrors,
  limitsFrom,
  NEW_PLAN_SETTINGS,
  PLAN_FIELDS,
  type LimitDrafts,
} from './plan-form';
import { PlanLimitsForm } from './PlanLimitsForm';

type CreatePlanDialogProps = { open: boolean; onClose: () => void };

export function CreatePlanDialog({ open, onClose }: CreatePlanDialogProps) {
  const mutation = useCreatePlan();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Create plan">
      <CreatePlanForm mutation={mutation} onCancel={close} />
    </Dialog>
  );
}

type FormProps = { mutation: ReturnType<typeof useCreatePlan>; onCancel: () => void };

function CreatePlanForm({ mutation, onCancel }: FormProps) {
  const [name, setName] = useState('');
  const [drafts, setDrafts] = useState<LimitDrafts>(() => draftsFrom(null));
  const [settings, setSettings] = useState<PlanSettings>(NEW_PLAN_SETTINGS);
  const errors = useFieldErrors(PLAN_FIELDS, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate({ name: planNameError(name), ...limitErrors(drafts) })) return;
    mutation.mutate(
      { name, ...limitsFrom(drafts), ...settings },
      {
        onSuccess: (created) => {
          toast.success(`Plan ${created.name} created.`);
          mutation.reset();
          onCancel();
        },
      },
    );
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
      submitLabel="Create plan"
    >
      <TextField
        label="Plan name"
        name="name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          errors.markEdited('name');
        }}
        error={errors.errorFor('name')}
        hint="Lowercase letters, digits, _ and -; up to 64 characters."
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
    </PlanLimitsForm>
  );
}
