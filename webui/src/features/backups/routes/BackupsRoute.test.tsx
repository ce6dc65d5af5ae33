import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { makeBackup, makeJob } from '../test-utils';

const backup = makeBackup();
const list = (items = [backup]) => ({ 'GET /api/v1/backups': () => json(200, { items }) });

describe('backups page', () => {
  it('lists the backups with their size and databases', async () => {
    signInAs(ownerUser());
    mockApi(list());
    renderApp('/panel/backups');

    const table = await screen.findByRole('table', { name: 'Backups' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(within(row).getByText(/1,200 files/)).toBeInTheDocument();
    expect(within(row).getByText('alice_shop')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: /^Restore from/ })).toBeInTheDocument();
  });

  it('starts a backup and shows its progress until it ends', async () => {
    signInAs(ownerUser());
    const job = makeJob();
    const running = makeJob({
      state: 'running',
      stage: 'files',
      percent: 40,
      bytes_done: 400,
      bytes_total: 1000,
    });
    const done = makeJob({ state: 'succeeded', stage: 'done', percent: 100, result: backup.id });
    const answers = [running, done];
    const api = mockApi({
      ...list([]),
      'POST /api/v1/backups': () => json(202, job),
      [`GET /api/v1/jobs/${job.id}`]: () => json(200, answers.length > 1 ? answers.shift() : answers[0]),
    });
    const { user } = renderApp('/panel/backups');

    await user.click((await screen.findAllByRole('button', { name: 'Back up now' }))[0]!);
    expect(api.to('POST', '/api/v1/backups')[0]!.body).toEqual({});
    const meter = await screen.findByRole('meter', { name: 'Backup progress' });
    expect(meter).toHaveAttribute('aria-valuenow', '40');
    expect(meter).toHaveAttribute('aria-valuetext', expect.stringMatching(/^Files · 40%/));
    expect(await screen.findByText('Backup finished.', {}, { timeout: 3000 })).toBeInTheDocument();
  });

  it('cancels a running backup and says so', async () => {
    signInAs(ownerUser());
    const job = makeJob();
    const running = makeJob({ state: 'running', stage: 'files', percent: 10 });
    const cancelled = makeJob({ state: 'cancelled', stage: 'files', error: 'cancelled' });
    let now = running;
    const api = mockApi({
      ...list([]),
      'POST /api/v1/backups': () => json(202, job),
      [`GET /api/v1/jobs/${job.id}`]: () => json(200, now),
      [`POST /api/v1/jobs/${job.id}/cancel`]: () => {
        now = cancelled;
        return json(200, cancelled);
      },
    });
    const { user } = renderApp('/panel/backups');

    await user.click((await screen.findAllByRole('button', { name: 'Back up now' }))[0]!);
    await user.click(await screen.findByRole('button', { name: 'Cancel backup' }));
    expect(api.to('POST', `/api/v1/jobs/${job.id}/cancel`)).toHaveLength(1);
    expect(await screen.findByText('Backup cancelled.')).toBeInTheDocument();
    expect(screen.queryByRole('meter', { name: 'Backup progress' })).not.toBeInTheDocument();
  });

  it('restores one database beside, naming it from the backup', async () => {
    signInAs(ownerUser());
    const job = makeJob({ kind: 'restore', subject: backup.id });
    const api = mockApi({
      ...list(),
      [`POST /api/v1/backups/${backup.id}/restore`]: () => json(202, job),
      [`GET /api/v1/jobs/${job.id}`]: () => json(200, { ...job, state: 'running', stage: 'files' }),
    });
    const { user } = renderApp('/panel/backups');

    await user.click(await screen.findByRole('button', { name: /^Restore from/ }));
    const dialog = screen.getByRole('dialog', { name: 'Restore from backup' });
    await user.selectOptions(within(dialog).getByLabelText('What to restore'), 'database');
    await user.click(within(dialog).getByRole('button', { name: 'Start restore' }));
    expect(within(dialog).getByText('Choose a database.')).toBeInTheDocument();
    await user.selectOptions(within(dialog).getByLabelText('Database'), 'alice_shop');
    await user.click(within(dialog).getByRole('button', { name: 'Start restore' }));
    expect(api.to('POST', `/api/v1/backups/${backup.id}/restore`)[0]!.body).toEqual({
      what: 'database',
      name: 'alice_shop',
      placement: 'beside',
    });
    expect(await screen.findByRole('meter', { name: 'Restore progress' })).toBeInTheDocument();
  });

  it('asks an administrator to name the account before listing', async () => {
    signInAs(adminUser);
    const api = mockApi(list());
    renderApp('/admin/backups');

    expect(await screen.findByText('Name an account')).toBeInTheDocument();
    expect(api.to('GET', '/api/v1/backups')).toHaveLength(0);
  });
});
