import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { makeBackup, makeJob } from '../test-utils';
import type { RepositoryAccount } from '../types';

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

  it('says a whole account restored in place brings back sites deleted since', async () => {
    signInAs(ownerUser());
    mockApi(list());
    const { user } = renderApp('/panel/backups');

    await user.click(await screen.findByRole('button', { name: /^Restore from/ }));
    const dialog = screen.getByRole('dialog', { name: 'Restore from backup' });
    await user.selectOptions(within(dialog).getByLabelText('Where'), 'in_place');
    expect(
      within(dialog).getByText(/sites, databases, cron jobs and zones deleted since come back/),
    ).toBeInTheDocument();
    await user.selectOptions(within(dialog).getByLabelText('What to restore'), 'database');
    expect(within(dialog).queryByText(/deleted since come back/)).not.toBeInTheDocument();
  });

  it('asks an administrator to name the account before listing', async () => {
    signInAs(adminUser);
    const api = mockApi({ ...list(), ...foreign([]) });
    renderApp('/admin/backups');

    expect(await screen.findByText('Name an account')).toBeInTheDocument();
    expect(api.to('GET', '/api/v1/backups')).toHaveLength(0);
  });

  it('never asks for the accounts a repository holds on an owner’s page', async () => {
    signInAs(ownerUser());
    const api = mockApi(list());
    renderApp('/panel/backups');

    await screen.findByRole('table', { name: 'Backups' });
    expect(screen.queryByText('Accounts not on this server')).not.toBeInTheDocument();
    expect(api.to('GET', '/api/v1/backup-accounts')).toHaveLength(0);
  });

  it('restores an account this server does not know from the repository’s listing', async () => {
    signInAs(adminUser);
    const older = makeBackup({ id: 'a'.repeat(32), account: 'carol', time: '2024-12-01T00:00:00Z' });
    const newest = makeBackup({ id: 'b'.repeat(32), account: 'carol' });
    const job = makeJob({ kind: 'restore', account: 'carol', subject: newest.id, created_by: 'admin' });
    const api = mockApi({
      ...list(),
      ...foreign([
        { account: 'carol', uid: 1007, name_taken: false, backups: [newest, older] },
        { account: 'dave', uid: 1008, name_taken: true, backups: [newest] },
      ]),
      'POST /api/v1/backup-accounts/carol/restore': () => json(202, job),
      [`GET /api/v1/jobs/${job.id}`]: () => json(200, { ...job, state: 'running', stage: 'files' }),
    });
    const { user } = renderApp('/admin/backups');

    const table = await screen.findByRole('table', { name: 'Accounts not on this server' });
    expect(within(table).getByRole('button', { name: 'Restore account dave' })).toBeDisabled();
    await user.click(within(table).getByRole('button', { name: 'Restore account carol' }));
    const dialog = await screen.findByRole('dialog', { name: 'Restore account carol' });
    await user.click(within(dialog).getByRole('button', { name: 'Restore account' }));
    expect(await within(dialog).findByText('Give the owner a password.')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/backup-accounts/carol/restore')).toHaveLength(0);
    await user.type(within(dialog).getByLabelText(/Owner’s new password/), 'carol-pass-1');
    await user.type(within(dialog).getByLabelText(/^Plan/), 'gold');
    await user.click(within(dialog).getByRole('button', { name: 'Restore account' }));

    expect(api.to('POST', '/api/v1/backup-accounts/carol/restore')[0]!.body).toEqual({
      uid: 1007,
      backup_id: newest.id,
      password: 'carol-pass-1',
      plan: 'gold',
    });
    expect(await screen.findByRole('meter', { name: 'Restore progress' })).toBeInTheDocument();
  });

  it('shows why an account restore was refused', async () => {
    signInAs(adminUser);
    const carol = makeBackup({ account: 'carol' });
    mockApi({
      ...list(),
      ...foreign([{ account: 'carol', uid: 1007, name_taken: false, backups: [carol] }]),
      'POST /api/v1/backup-accounts/carol/restore': () =>
        problem(409, { title: 'Conflict', detail: "'www.carol.com' is held by another account." }),
    });
    const { user } = renderApp('/admin/backups');

    await user.click(await screen.findByRole('button', { name: 'Restore account carol' }));
    const dialog = await screen.findByRole('dialog', { name: 'Restore account carol' });
    await user.type(within(dialog).getByLabelText(/Owner’s new password/), 'carol-pass-1');
    await user.click(within(dialog).getByRole('button', { name: 'Restore account' }));

    expect(await within(dialog).findByText(/is held by another account/)).toBeInTheDocument();
  });
});

function foreign(items: RepositoryAccount[]) {
  return { 'GET /api/v1/backup-accounts': () => json(200, { items }) };
}
