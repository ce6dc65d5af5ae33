import { Switch, toast } from '@/components/ui';
import { useUpdateCronJob } from '../api/update-cron-job';
import type { CronJob } from '../types';

/** Turns a job on or off at once; the list refreshes when the gateway has applied it. */
export function EnabledSwitch({ job, label }: { job: CronJob; label: string }) {
  const mutation = useUpdateCronJob(job.id);
  // While saving, show the state asked for rather than flicking back.
  const checked = mutation.isPending ? Boolean(mutation.variables?.enabled) : job.enabled;
  return (
    <span className="switch-field">
      <Switch
        aria-label={label}
        checked={checked}
        pending={mutation.isPending}
        disabled={job.status === 'deleting'}
        onChange={(e) => {
          const enabled = e.target.checked;
          mutation.mutate(
            { enabled },
            {
              onSuccess: () =>
                toast.success(enabled ? 'Cron job enabled.' : 'Cron job disabled: it will not run.'),
              onError: (error) =>
                toast.error(`Could not ${enabled ? 'enable' : 'disable'} the cron job: ${error.message}`),
            },
          );
        }}
      />
      {/* The switch's state, in words for the eye; screen readers hear "on" / "off" already. */}
      <span className="switch-field__state" aria-hidden="true">
        {checked ? 'On' : 'Off'}
      </span>
    </span>
  );
}
