import { useState } from 'react';
import { toast } from '@/components/ui';
import { useFollowJob } from '../api/follow-job';
import type { Job } from '../types';

/** One archive or extraction while it runs: files and bytes so far, then a toast. */
export function JobNotice({ job }: { job: Job }) {
  const [ended, setEnded] = useState(false);
  const what = job.kind === 'archive' ? 'Archive' : 'Extraction';
  const followed = useFollowJob(job.id, (last) => {
    setEnded(true);
    if (last.state === 'succeeded') toast.success(`${what} finished: ${last.files_done} files.`);
    else toast.error(`${what} failed: ${last.error}`);
  });
  if (ended) return null;
  const data = followed.data ?? job;
  return <p role="status">{`${what} running: ${data.files_done} files so far.`}</p>;
}
