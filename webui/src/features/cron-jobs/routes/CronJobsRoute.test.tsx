import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { deferred, json, mockApi, noContent } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { makeCronJob } from '../test-utils';

const job = makeCronJob();
const nightly = makeCronJob({
  id: 'ffee',
  schedule: '@daily',
  command: '/home/alice/bin/backup.sh',
  enabled: false,
});
const list = (items = [job, nightly]) => ({
  'GET /api/v1/cron-jobs': () => json(200, { items, next_page_token: null }),
});

describe('cron jobs page', () => {
  it('lists jobs: the schedule in words and fields, the command, an enabled switch', async () => {
    signInAs(ownerUser());
    mockApi(list());
    renderApp('/panel/cron-jobs');

    const table = await screen.findByRole('table', { name: 'Cron jobs' });
    const first = within(table).getByRole('row', { name: /cron\.php/ });
    expect(within(first).getByText('Every 15 minutes')).toBeInTheDocument();
    expect(within(first).getByText('*/15 * * * *')).toBeInTheDocument();
    expect(within(first).getByText(job.command).tagName).toBe('CODE');
    expect(within(first).getByRole('switch', { name: /^Enabled: php/ })).toBeChecked();
    const second = within(table).getByRole('row', { name: /backup\.sh/ });
    expect(within(second).getByText('Every day at 00:00')).toBeInTheDocument();
    expect(within(second).getByRole('switch')).not.toBeChecked();
  });

  it('switches a job off at once, busy while it saves', async () => {
    signInAs(ownerUser());
    const answer = deferred<Response>();
    const api = mockApi({ ...list(), [`PATCH /api/v1/cron-jobs/${job.id}`]: () => answer.promise });
    const { user } = renderApp('/panel/cron-jobs');

    const toggle = await screen.findByRole('switch', { name: /^Enabled: php/ });
    await user.click(toggle);
    expect(toggle).not.toBeChecked();
    expect(toggle).toBeDisabled();
    expect(api.to('PATCH', `/api/v1/cron-jobs/${job.id}`)[0]!.body).toEqual({ enabled: false });
    answer.resolve(json(200, { ...job, enabled: false }));
    expect(await screen.findByText('Cron job disabled: it will not run.')).toBeInTheDocument();
  });

  it('edits a job, sending only what changed (an untouched @daily stays)', async () => {
    signInAs(ownerUser());
    const api = mockApi({ ...list(), 'PATCH /api/v1/cron-jobs/ffee': () => json(200, nightly) });
    const { user } = renderApp('/panel/cron-jobs');

    await user.click(await screen.findByRole('button', { name: 'Edit job: /home/alice/bin/backup.sh' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit cron job' });
    expect(within(dialog).getByLabelText('Runs')).toHaveValue('day');
    expect(within(dialog).getByLabelText('Time')).toHaveValue('00:00');
    const command = within(dialog).getByLabelText('Command');
    await user.clear(command);
    await user.type(command, '/home/alice/bin/backup.sh --quiet');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Enabled' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Cron job saved.')).toBeInTheDocument();
    expect(api.to('PATCH', '/api/v1/cron-jobs/ffee')[0]!.body).toEqual({
      command: '/home/alice/bin/backup.sh --quiet',
      enabled: true,
    });
  });

  it('deletes a job after confirmation', async () => {
    signInAs(ownerUser());
    const api = mockApi({ ...list(), [`DELETE /api/v1/cron-jobs/${job.id}`]: () => noContent() });
    const { user } = renderApp('/panel/cron-jobs');

    await user.click(await screen.findByRole('button', { name: /^Delete job: php/ }));
    const dialog = screen.getByRole('dialog', { name: 'Delete this cron job?' });
    expect(dialog).toHaveTextContent('Every 15 minutes');
    await user.click(within(dialog).getByRole('button', { name: 'Delete cron job' }));

    expect(await screen.findByText('Cron job deleted.')).toBeInTheDocument();
    expect(api.to('DELETE', `/api/v1/cron-jobs/${job.id}`)).toHaveLength(1);
  });

  it('offers an owner without jobs to add the first one', async () => {
    signInAs(ownerUser());
    mockApi(list([]));
    const { user } = renderApp('/panel/cron-jobs');

    await user.click(await screen.findByRole('button', { name: 'Add your first cron job' }));
    expect(screen.getByRole('dialog', { name: 'Add cron job' })).toBeInTheDocument();
  });

  it('shows administrators the account of each job, and filters by it', async () => {
    signInAs(adminUser);
    const api = mockApi(list([makeCronJob({ account: 'bob' })]));
    const { user } = renderApp('/admin/cron-jobs');

    const table = await screen.findByRole('table', { name: 'Cron jobs' });
    expect(within(table).getByRole('link', { name: 'bob' })).toHaveAttribute('href', '/admin/accounts/bob');
    await user.type(screen.getByLabelText('Account'), 'bob');
    await waitFor(() => expect(api.to('GET', '/api/v1/cron-jobs').at(-1)!.query.get('account')).toBe('bob'));
  });
});
