import { Alert, Button, Meter, Spinner } from '@/components/ui';
import { formatBytes } from '@/lib/format';
import { useCancelJob } from '../api/cancel-job';
import { useJob } from '../api/get-job';
import type { Job } from '../types';

const STAGES: Record<string, string> = {
  '': 'Starting',
  queued: 'Waiting for the job before it',
  files: 'Files',
  databases: 'Databases',
  settings: 'Settings',
  done: 'Done',
};

function progressText(job: Job): string {
  const stage = STAGES[job.stage] ?? job.stage;
  const bytes = job.bytes_total
    ? `${formatBytes(job.bytes_done)} of ${formatBytes(job.bytes_total)}`
    : job.bytes_done
      ? formatBytes(job.bytes_done)
      : '';
  return [stage, `${job.percent}%`, bytes].filter(Boolean).join(' · ');
}

/** A running backup or restore as a progress bar; its outcome once it has ended. */
export function JobProgress({ id }: { id: string }) {
  const job = useJob(id);
  const cancel = useCancelJob(id);
  if (job.isPending) return <Spinner label="Starting…" />;
  if (job.isError) return <Alert tone="error">{job.error.message}</Alert>;
  const data = job.data;
  const label = data.kind === 'backup' ? 'Backup' : 'Restore';
  if (data.state === 'succeeded') {
    return (
      <Alert tone="success">
        {data.kind === 'backup'
          ? 'Backup finished.'
          : data.result && data.result !== '.'
            ? `Restore finished: the files are in ${data.result} in your home folder.`
            : 'Restore finished.'}
      </Alert>
    );
  }
  if (data.state === 'failed') {
    return <Alert tone="error">{`${label} failed: ${data.error || 'no reason given'}`}</Alert>;
  }
  if (data.state === 'cancelled') {
    return <Alert tone="info">{`${label} cancelled.`}</Alert>;
  }
  return (
    <>
      <Meter label={`${label} progress`} value={data.percent} max={100} text={progressText(data)} />
      <Button size="sm" pending={cancel.isPending} onClick={() => cancel.mutate()}>
        {`Cancel ${label.toLowerCase()}`}
      </Button>
      {cancel.isError ? <Alert tone="error">{cancel.error.message}</Alert> : null}
    </>
  );
}
