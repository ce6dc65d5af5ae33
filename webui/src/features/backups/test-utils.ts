import type { Backup, Job } from './types';

export function makeBackup(overrides: Partial<Backup> = {}): Backup {
  return {
    id: '0123456789abcdef0123456789abcdef',
    account: 'alice',
    time: '2025-01-02T03:04:05Z',
    files: 1200,
    bytes: 52_428_800,
    databases: [{ name: 'alice_shop', dump_bytes: 1_048_576 }],
    zones: ['shop.example'],
    domains: ['shop.example'],
    cron_jobs: 1,
    added_bytes: 1_048_576,
    ...overrides,
  };
}

export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'feedfacefeedfacefeedfacefeedface',
    account: 'alice',
    kind: 'backup',
    state: 'queued',
    stage: '',
    percent: 0,
    bytes_done: 0,
    bytes_total: 0,
    files_done: 0,
    files_total: 0,
    subject: '',
    result: '',
    error: '',
    created_by: 'alice',
    origin: 'owner',
    created_at: '2025-01-02T03:04:05Z',
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}
