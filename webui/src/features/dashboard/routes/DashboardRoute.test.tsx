import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminUser, makeServerOverview } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

const stat = (label: string) =>
  within(screen.getByRole('region', { name: 'Counts' })).getByText(label).parentElement!;

afterEach(() => {
  vi.useRealTimers();
});

describe('admin dashboard', () => {
  it('shows the counts, load against the CPUs, memory and each disk', async () => {
    signInAs(adminUser);
    mockApi({ 'GET /api/v1/server': () => json(200, makeServerOverview()) });
    renderApp('/admin');

    await waitFor(() => expect(stat('Accounts')).toHaveTextContent('2'));
    expect(stat('Domains')).toHaveTextContent('5');
    expect(stat('Databases')).toHaveTextContent('3');
    expect(stat('Cron jobs')).toHaveTextContent('4');
    expect(stat('DNS zones')).toHaveTextContent('1');
    expect(within(stat('DNS zones')).getByRole('link', { name: /All DNS zones/ })).toHaveAttribute(
      'href',
      '/admin/dns',
    );

    expect(screen.getByText('Hostname').nextElementSibling).toHaveTextContent('web1.example.net');
    expect(screen.getByText('Kernel').nextElementSibling).toHaveTextContent('Linux 6.1.0-28-amd64');
    expect(screen.getByText('Uptime').nextElementSibling).toHaveTextContent('3 days, 4 hours');
    expect(screen.getByText('Disk quotas').nextElementSibling).toHaveTextContent(/^Enforced on \/home$/);

    const load = screen.getByRole('meter', { name: 'Load, 1 minute' });
    expect(load).toHaveAttribute('aria-valuetext', '0.52 on 2 CPUs');
    expect(load).toHaveAttribute('aria-valuenow', '26');
    // Over the CPU count the bar is full; the words still say how far over.
    expect(screen.getByRole('meter', { name: 'Load, 15 minutes' })).toHaveAttribute('aria-valuenow', '100');
    expect(screen.getByRole('meter', { name: 'Memory' })).toHaveAttribute(
      'aria-valuetext',
      '3 GB of 4 GB used (75%)',
    );
    expect(screen.getByRole('meter', { name: 'Disk /' })).toHaveAttribute(
      'aria-valuetext',
      '10 GB of 40 GB used (25%), 30 GB free',
    );
    expect(screen.getByRole('meter', { name: 'Disk /home' })).toHaveAttribute('aria-valuenow', '95');
    expect(screen.getByRole('meter', { name: 'Disk /var' })).toBeInTheDocument();
  });

  it('warns when /home does not enforce disk quotas', async () => {
    signInAs(adminUser);
    mockApi({
      'GET /api/v1/server': () => json(200, makeServerOverview({}, { diskQuotasEnforced: false })),
    });
    renderApp('/admin');

    const quotas = (await screen.findByText('Disk quotas')).nextElementSibling;
    expect(quotas).toHaveTextContent(
      'Not enforced — plans with a disk quota cannot get new accounts. Mount /home with usrquota.',
    );
    expect(quotas).not.toHaveTextContent('Enforced on /home');
  });

  it('asks again every 30 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    signInAs(adminUser);
    let accounts = 2;
    const api = mockApi({ 'GET /api/v1/server': () => json(200, makeServerOverview({ accounts })) });
    renderApp('/admin');

    await waitFor(() => expect(stat('Accounts')).toHaveTextContent('2'));
    accounts = 3;
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    await waitFor(() => expect(stat('Accounts')).toHaveTextContent('3'));
    expect(api.to('GET', '/api/v1/server')).toHaveLength(2);
  });

  it('says when the overview cannot be loaded, and tries again', async () => {
    signInAs(adminUser);
    let fail = true;
    mockApi({
      'GET /api/v1/server': () =>
        fail ? problem(503, { title: 'Agent unavailable' }) : json(200, makeServerOverview()),
    });
    const { user } = renderApp('/admin');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the server overview');
    expect(stat('Accounts')).toHaveTextContent('—');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(stat('Accounts')).toHaveTextContent('2'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
