// The API's backup and job shapes (docs/backups.md), from the generated types; only this
// feature reads them.
import type { Schemas } from '@/types/api';

export type BackedUpDatabase = Schemas['BackedUpDatabase'];
export type Backup = Schemas['Backup'];
export type Job = Schemas['Job'];
export type JobState = Job['state'];

export type RestoreWhat = Schemas['RestoreStart']['what'];
export type Placement = NonNullable<Schemas['RestoreStart']['placement']>;

/** What the restore dialog asks for: the backup, and the body's fields. */
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
