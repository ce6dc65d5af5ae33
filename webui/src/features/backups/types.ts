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

/** An account a repository holds backups of that this server does not know (administrators). */
export type RepositoryAccount = Schemas['RepositoryAccount'];

/** What the account restore dialog asks for: the account as listed, and the body's fields. */
export type AccountRestoreInput = {
  account: string;
  uid: number;
  backupId: string;
  repository: string;
  /** Empty: the plan of the backup's plan's name. */
  plan: string;
  password: string;
};
