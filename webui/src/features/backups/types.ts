// Shapes of the backups and jobs operations (docs/backups.md); hand-written until the API types
// are generated from the OpenAPI document.

export type BackedUpDatabase = { name: string; dump_bytes: number };

export type Backup = {
  /** 32 hexadecimal digits. */
  id: string;
  account: string;
  time: string;
  files: number;
  bytes: number;
  databases: BackedUpDatabase[];
  zones: string[];
  domains: string[];
  cron_jobs: number;
  added_bytes: number;
};

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

export type Job = {
  id: string;
  account: string;
  kind: 'backup' | 'restore';
  state: JobState;
  /** queued, files, databases, settings or done; '' before the agent reports. */
  stage: string;
  percent: number;
  bytes_done: number;
  bytes_total: number;
  files_done: number;
  files_total: number;
  subject: string;
  result: string;
  error: string;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
};

export type RestoreWhat = 'account' | 'domain' | 'database' | 'path';
export type Placement = 'beside' | 'in_place';

export type RestoreInput = {
  backupId: string;
  what: RestoreWhat;
  /** The domain, database or path; empty for the whole account. */
  name: string;
  placement: Placement;
  /** Required when an administrator restores. */
  account?: string | undefined;
};

export const isRunning = (job: Job) => job.state === 'queued' || job.state === 'running';
