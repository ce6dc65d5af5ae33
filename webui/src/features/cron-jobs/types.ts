// Shapes of docs/api.md's "Cron jobs" section; only this feature reads them.

export type CronJobStatus = 'pending' | 'active' | 'deleting';

export type CronJob = {
  id: string;
  account: string;
  /** Five crontab fields ("*\/15 * * * *") or a shortcut such as "@daily". */
  schedule: string;
  /** One line, run with /bin/sh as the account; % is literal. */
  command: string;
  enabled: boolean;
  status: CronJobStatus;
  created_at: string;
  updated_at: string;
};
