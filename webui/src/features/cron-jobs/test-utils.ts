import type { CronJob } from './types';

export function makeCronJob(overrides: Partial<CronJob> = {}): CronJob {
  return {
    id: '0a1b2c3d4e5f6a7b',
    account: 'alice',
    schedule: '*/15 * * * *',
    command: 'php /home/alice/web/shop.example/public/cron.php',
    enabled: true,
    status: 'active',
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}
