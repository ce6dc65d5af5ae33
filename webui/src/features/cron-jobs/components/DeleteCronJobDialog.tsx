import { ConfirmDialog, toast } from '@/components/ui';
import { useDeleteCronJob } from '../api/delete-cron-job';
import type { CronJob } from '../types';
import { describeSchedule } from './schedule';

type DeleteCronJobDialogProps = { job: CronJob; open: boolean; onClose: () => void };

export function DeleteCronJobDialog({ job, open, onClose }: DeleteCronJobDialogProps) {
  const mutation = useDeleteCronJob();
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title="Delete this cron job?"
      confirmLabel="Delete cron job"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(job.id, {
          onSuccess: () => {
            toast.success('Cron job deleted.');
            close();
          },
        })
      }
    >
      <p>{describeSchedule(job.schedule) ?? <code>{job.schedule}</code>}, it runs:</p>
      <p>
        <code className="cell-code">{job.command}</code>
      </p>
      <p>It stops running and its settings are removed. To pause it instead, switch it off.</p>
    </ConfirmDialog>
  );
}
