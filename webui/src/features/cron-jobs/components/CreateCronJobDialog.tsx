import { useState, type FormEvent } from 'react';
import { Dialog, TextField, toast } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useOwnAccountName } from '@/lib/use-own-account-name';
import { accountNameError } from '@/lib/validation';
import { useCreateCronJob, type CreateCronJobInput } from '../api/create-cron-job';
import { JobForm, useJobForm } from './CronJobForm';
import { describeSchedule, scheduleDraft } from './schedule';

type CreateCronJobDialogProps = {
  open: boolean;
  onClose: () => void;
  area: Area;
  /** Administrators: the account to fill in (the list's account filter). */
  account?: string | undefined;
};

export function CreateCronJobDialog({ open, onClose, area, account }: CreateCronJobDialogProps) {
  const mutation = useCreateCronJob();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Add cron job">
      <CreateForm mutation={mutation} area={area} initialAccount={account ?? ''} onDone={close} />
    </Dialog>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateCronJob>;
  area: Area;
  initialAccount: string;
  onDone: () => void;
};

function CreateForm({ mutation, area, initialAccount, onDone }: FormProps) {
  const ownAccount = useOwnAccountName();
  const [account, setAccount] = useState(initialAccount);
  const form = useJobForm(mutation.error, scheduleDraft(), '', true);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const owner = area === 'admin' ? account.trim().toLowerCase() : ownAccount;
    if (!form.check(area === 'admin' ? accountNameError(owner) : undefined)) return;
    const input: CreateCronJobInput = {
      schedule: form.schedule,
      command: form.command,
      enabled: form.enabled,
    };
    if (area === 'admin') input.account = owner;
    mutation.mutate(input, {
      onSuccess: (job) => {
        toast.success(`Cron job added: ${describeSchedule(job.schedule) ?? job.schedule}.`);
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
      submitLabel="Add cron job"
      runAs={area === 'admin' ? account.trim() || 'the account' : ownAccount}
      accountField={
        area === 'admin' ? (
          <TextField
            label="Account"
            name="account"
            value={account}
            onChange={(e) => {
              setAccount(e.target.value);
              form.errors.markEdited('account');
            }}
            error={form.errors.errorFor('account')}
            hint="The account the command runs as."
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
          />
        ) : null
      }
    />
  );
}
