import { Alert, Meter, Spinner } from '@/components/ui';
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
 * A running certificate order as a progress bar of its stages; once it has ended, a success
 * line (a refusal's reason is the card's, from the record, so it is not repeated here).
 */
export function CertificateJobProgress({ name, id }: { name: string; id: string }) {
  const job = useCertificateJob(name, id);
  if (job.isPending) return <Spinner label="Starting…" />;
  if (job.isError) return <Alert tone="error">{job.error.message}</Alert>;
  const data = job.data;
  if (data.state === 'succeeded')
    return <Alert tone="success">The certificate was issued and installed.</Alert>;
  if (!isOrderRunning(data)) return null;
  const { percent, text } = stageProgress(data);
  return <Meter label="Certificate order" value={percent} max={100} text={text} />;
}
