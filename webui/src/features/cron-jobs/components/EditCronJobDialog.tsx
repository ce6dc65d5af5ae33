import type { FormEvent } from 'react';
import { Dialog, toast } from '@/components/ui';
import { useUpdateCronJob, type UpdateCronJobInput } from '../api/update-cron-job';
import type { CronJob } from '../types';
import { JobForm, useJobForm } from './CronJobForm';
import { draftFromSchedule } from './schedule';

type EditCronJobDialogProps = { job: CronJob; open: boolean; onClose: () => void };

export function EditCronJobDialog({ job, open, onClose }: EditCronJobDialogProps) {
  const mutation = useUpdateCronJob(job.id);
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Edit cron job">
      <EditForm job={job} mutation={mutation} onDone={close} />
    </Dialog>
  );
}

type FormProps = { job: CronJob; mutation: ReturnType<typeof useUpdateCronJob>; onDone: () => void };

function EditForm({ job, mutation, onDone }: FormProps) {
  const form = useJobForm(mutation.error, draftFromSchedule(job.schedule), job.command, job.enabled);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!form.check(undefined)) return;
    // Only what changed: an untouched "@daily" stays as it was written.
    const input: UpdateCronJobInput = {};
    if (form.scheduleTouched && form.schedule !== job.schedule) input.schedule = form.schedule;
    if (form.command !== job.command) input.command = form.command;
    if (form.enabled !== job.enabled) input.enabled = form.enabled;
    if (Object.keys(input).length === 0) {
      onDone();
      return;
    }
    mutation.mutate(input, {
      onSuccess: () => {
        toast.success('Cron job saved.');
        mutation.reset();
        onDone();
      },
    });
  };

  return (
    <JobForm
      form={form}
      onSubmit={submit}
      onCancel={onDone}
      pending={mutation.isPending}
      error={mutation.error}
      submitLabel="Save changes"
      runAs={job.account}
    />
  );
}
