import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Area } from '@/config/paths';
import { ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders, signInAs } from '@/testing/render';
import { makeCronJob } from '../test-utils';
import { CreateCronJobDialog } from './CreateCronJobDialog';

function renderDialog(area: Area = 'panel') {
  if (area === 'panel') signInAs(ownerUser());
  const onClose = vi.fn();
  const rendered = renderWithProviders(<CreateCronJobDialog open onClose={onClose} area={area} />);
  return { ...rendered, onClose, dialog: screen.getByRole('dialog', { name: 'Add cron job' }) };
}

const created = () => json(201, makeCronJob());
const posted = (api: ReturnType<typeof mockApi>) => api.to('POST', '/api/v1/cron-jobs').map((r) => r.body);
const preview = (dialog: HTMLElement) => within(dialog).getByRole('status', { name: 'Schedule preview' });

describe('CreateCronJobDialog', () => {
  it('starts on “every day at 03:00” and says so in words and fields', () => {
    mockApi({});
    const { dialog } = renderDialog();

    expect(within(dialog).getByLabelText('Runs')).toHaveFocus();
    expect(within(dialog).getByLabelText('Runs')).toHaveValue('day');
    expect(within(dialog).getByLabelText('Time')).toHaveValue('03:00');
    expect(preview(dialog)).toHaveTextContent('Every day at 03:00: 0 3 * * *');
  });

  it.each([
    ['minute', {}, '* * * * *', 'Every minute'],
    ['minutes', { Interval: '15' }, '*/15 * * * *', 'Every 15 minutes'],
    ['hour', {}, '0 * * * *', 'Every hour, on the hour'],
    ['week', { Day: '5' }, '0 3 * * 5', 'Every Friday at 03:00'],
    ['month', { 'Day of the month': '15' }, '0 3 15 * *', 'Every month on the 15th at 03:00'],
    ['reboot', {}, '@reboot', 'When the server starts'],
  ])('the %s preset (%o) sends %s', async (preset, selects, schedule, words) => {
    const api = mockApi({ 'POST /api/v1/cron-jobs': created });
    const { user, dialog, onClose } = renderDialog();

    await user.selectOptions(within(dialog).getByLabelText('Runs'), preset);
    for (const [label, value] of Object.entries(selects)) {
      await user.selectOptions(within(dialog).getByLabelText(label), value);
    }
    expect(preview(dialog)).toHaveTextContent(words);
    await user.type(within(dialog).getByLabelText('Command'), '/home/alice/bin/backup.sh');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ schedule, command: '/home/alice/bin/backup.sh', enabled: true }]);
  });

  it('sends a day’s time and an hour’s minute as crontab writes them', async () => {
    const api = mockApi({ 'POST /api/v1/cron-jobs': created });
    const { user, dialog, onClose } = renderDialog();

    fireEvent.change(within(dialog).getByLabelText('Time'), { target: { value: '23:45' } });
    expect(preview(dialog)).toHaveTextContent('Every day at 23:45: 45 23 * * *');
    await user.selectOptions(within(dialog).getByLabelText('Runs'), 'hour');
    await user.clear(within(dialog).getByLabelText('Minute past the hour'));
    await user.type(within(dialog).getByLabelText('Minute past the hour'), '5');
    expect(preview(dialog)).toHaveTextContent('Every hour at :05: 5 * * * *');
    await user.type(within(dialog).getByLabelText('Command'), 'true');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Enabled' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ schedule: '5 * * * *', command: 'true', enabled: false }]);
  });

  it('takes five custom fields and checks each before sending', async () => {
    const api = mockApi({ 'POST /api/v1/cron-jobs': created });
    const { user, dialog, onClose } = renderDialog();

    await user.selectOptions(within(dialog).getByLabelText('Runs'), 'custom');
    const hour = within(dialog).getByLabelText('Hour');
    await user.clear(hour);
    await user.type(hour, '25');
    await user.type(within(dialog).getByLabelText('Command'), 'true');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));
    expect(hour).toBeInvalid();
    expect(hour).toHaveAccessibleDescription(/0–23/);
    expect(posted(api)).toHaveLength(0);

    await user.clear(hour);
    await user.type(hour, '9-17');
    const minute = within(dialog).getByLabelText('Minute');
    await user.clear(minute);
    await user.type(minute, '*/10');
    expect(preview(dialog)).toHaveTextContent('Custom schedule: */10 9-17 * * *');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ schedule: '*/10 9-17 * * *', command: 'true', enabled: true }]);
  });

  it('refuses a command of more than one line, beside the command', async () => {
    const api = mockApi({});
    const { user, dialog } = renderDialog();

    const command = within(dialog).getByLabelText('Command');
    expect(command).toHaveAccessibleDescription(/run by \/bin\/sh as alice/);
    await user.type(command, 'cd /tmp{Enter}ls');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));
    expect(command).toHaveAccessibleDescription(/Use one line/);
    expect(posted(api)).toHaveLength(0);
  });

  it('shows the gateway’s errors beside schedule and command', async () => {
    mockApi({
      'POST /api/v1/cron-jobs': () =>
        problem(400, {
          errors: [
            { field: 'schedule', message: 'the day of week field is not valid' },
            { field: 'command', message: 'use 1 to 1000 characters on one line' },
          ],
        }),
    });
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Command'), 'true');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));

    await waitFor(() =>
      expect(within(dialog).getByRole('group', { name: 'Schedule' })).toHaveAccessibleDescription(
        /day of week field is not valid/,
      ),
    );
    expect(within(dialog).getByLabelText('Command')).toHaveAccessibleDescription(/1 to 1000 characters/);
  });

  it('shows “Plan limit reached” clearly', async () => {
    mockApi({
      'POST /api/v1/cron-jobs': () =>
        problem(403, { title: 'Plan limit reached', detail: "Your plan 'basic' allows 2 cron jobs." }),
    });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Command'), 'true');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Plan limit reached');
    expect(alert).toHaveTextContent("Your plan 'basic' allows 2 cron jobs.");
    expect(onClose).not.toHaveBeenCalled();
  });

  it('asks administrators for the account', async () => {
    const api = mockApi({ 'POST /api/v1/cron-jobs': created });
    const { user, dialog, onClose } = renderDialog('admin');

    await user.type(within(dialog).getByLabelText('Command'), 'true');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));
    expect(within(dialog).getByLabelText('Account')).toHaveAccessibleDescription(/Enter an account name/);

    await user.type(within(dialog).getByLabelText('Account'), 'bob');
    await user.click(within(dialog).getByRole('button', { name: 'Add cron job' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ schedule: '0 3 * * *', command: 'true', enabled: true, account: 'bob' }]);
  });
});
