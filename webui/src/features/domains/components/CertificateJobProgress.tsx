import { Alert, Button, Meter, Spinner, toast } from '@/components/ui';
import { useCancelCertificateOrder } from '../api/cancel-certificate-order';
import { useCertificateJob } from '../api/get-certificate-job';
import { isOrderRunning, type CertificateJob } from '../types';

// An order's stages in the order the worker reaches them (docs/certificates.md, "Job
// stages"); the job's percent stays 0 until done, so the bar counts stages reached.
const STAGES: [string, string][] = [
  ['queued', 'Waiting for the certificate worker'],
  ['preflight', 'Checking that the names reach this server'],
  ['ordering', 'Ordering from the certificate authority'],
  ['validating', 'The certificate authority is checking the names'],
  ['installing', 'Installing the certificate'],
  ['done', 'Done'],
];

export function stageProgress(job: CertificateJob): { percent: number; text: string } {
  const index = STAGES.findIndex(([stage]) => stage === job.stage);
  if (index < 0) return { percent: 0, text: job.stage || 'Starting' };
  return { percent: Math.round((index * 100) / (STAGES.length - 1)), text: STAGES[index]![1] };
}

/**
 * A running certificate order as a progress bar of its stages, with a button that cancels it
 * (it stops at its next stage, before anything is installed); once it has ended, a success or
 * cancelled line (a refusal's reason is the card's, from the record, so it is not repeated).
 */
export function CertificateJobProgress({ name, id }: { name: string; id: string }) {
  const job = useCertificateJob(name, id);
  const cancel = useCancelCertificateOrder(name, id);
  if (job.isPending) return <Spinner label="Starting…" />;
  if (job.isError) return <Alert tone="error">{job.error.message}</Alert>;
  const data = job.data;
  if (data.state === 'succeeded')
    return <Alert tone="success">The certificate was issued and installed.</Alert>;
  if (data.state === 'cancelled') return <Alert tone="info">The order was cancelled.</Alert>;
  if (!isOrderRunning(data)) return null;
  const { percent, text } = stageProgress(data);
  const stop = () =>
    cancel.mutate(undefined, {
      onError: (error) => toast.error(`The order was not cancelled: ${error.message}`),
    });
  return (
    <div className="stack">
      <Meter label="Certificate order" value={percent} max={100} text={text} />
      <div className="actions">
        <Button onClick={stop} pending={cancel.isPending} disabled={data.stage === 'installing'}>
          Cancel order
        </Button>
      </div>
    </div>
  );
}
