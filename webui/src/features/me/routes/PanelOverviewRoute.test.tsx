import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Me } from '@/types/api';
import { makeAccount, makeAccountSystem, makePlan, ownerUser } from '@/testing/fixtures';
import { json, mockApi } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

function renderOverview(me: Me) {
  mockApi({
    'GET /api/v1/me': () => json(200, me),
    'GET /api/v1/accounts/alice': () => json(200, makeAccount({ system: makeAccountSystem() })),
  });
  signInAs(me);
  return renderApp('/panel');
}

const usageOf = (term: string) =>
  within(screen.getByRole('region', { name: /^Plan:/ })).getByText(term, { selector: 'dt' })
    .nextElementSibling;

describe('owner overview: plan usage', () => {
  it('shows what the account uses of each limit', async () => {
    const plan = makePlan({
      name: 'basic',
      max_domains: 10,
      max_aliases: 5,
      max_databases: 0,
      disk_quota_mb: 1024,
    });
    renderOverview(
      ownerUser(makeAccount(), plan, { max_domains: 3, max_aliases: 2, max_databases: 0, max_cron_jobs: 4 }),
    );

    expect(await screen.findByRole('region', { name: 'Plan: basic' })).toBeInTheDocument();
    expect(usageOf('Domains')).toHaveTextContent('3 of 10 domains');
    expect(usageOf('Aliases per domain')).toHaveTextContent('2 of 5 aliases');
    expect(usageOf('Databases')).toHaveTextContent('None allowed');
    expect(usageOf('Cron jobs')).toHaveTextContent('4 cron jobs, unlimited');
    // Without disk quotas on the server, the gateway does not count disk use: the limit alone.
    expect(usageOf('Disk quota (MB)')).toHaveTextContent('Up to 1,024 MB');
    expect(usageOf('Disk quota (MB)')).toHaveTextContent("For all the account's files, in MiB");
    expect(usageOf('Disk quota (MB)')).not.toHaveTextContent(/not enforced/);
    expect(screen.getByRole('link', { name: 'Manage domains' })).toHaveAttribute('href', '/panel/domains');
    expect(screen.getByRole('link', { name: 'Manage databases' })).toHaveAttribute(
      'href',
      '/panel/databases',
    );
    expect(screen.getByRole('link', { name: 'Manage cron jobs' })).toHaveAttribute(
      'href',
      '/panel/cron-jobs',
    );
  });

  it('counts databases and cron jobs against their limits', async () => {
    const plan = makePlan({ name: 'pro', max_databases: 5, max_cron_jobs: 10 });
    renderOverview(
      ownerUser(makeAccount(), plan, { max_domains: 0, max_aliases: 0, max_databases: 1, max_cron_jobs: 3 }),
    );

    expect(await screen.findByRole('region', { name: 'Plan: pro' })).toBeInTheDocument();
    expect(usageOf('Databases')).toHaveTextContent('1 of 5 databases');
    expect(usageOf('Cron jobs')).toHaveTextContent('3 of 10 cron jobs');
  });

  it('counts disk use against the quota where the server measures it', async () => {
    const plan = makePlan({ name: 'pro', max_domains: 10, disk_quota_mb: 500 });
    renderOverview(ownerUser(makeAccount(), plan, { max_domains: 3, max_aliases: 0, disk_quota_mb: 120 }));

    expect(await screen.findByRole('region', { name: 'Plan: pro' })).toBeInTheDocument();
    const disk = usageOf('Disk quota (MB)') as HTMLElement;
    expect(disk).toHaveTextContent('120 of 500 MB');
    // The bar repeats the words for the eye, so it is hidden from the accessibility tree.
    expect(within(disk).getByRole('meter', { hidden: true })).toHaveValue(120);
  });

  it('says unlimited for a disk without quota, with or without its use', async () => {
    const plan = makePlan({ name: 'pro' });
    const { unmount } = renderOverview(
      ownerUser(makeAccount(), plan, { max_domains: 0, max_aliases: 0, disk_quota_mb: 120 }),
    );
    expect(await screen.findByRole('region', { name: 'Plan: pro' })).toBeInTheDocument();
    expect(usageOf('Disk quota (MB)')).toHaveTextContent('120 MB, unlimited');
    expect(
      within(usageOf('Disk quota (MB)') as HTMLElement).queryByRole('meter', { hidden: true }),
    ).toBeNull();
    unmount();

    renderOverview(ownerUser(makeAccount(), plan, { max_domains: 0, max_aliases: 0 }));
    expect(await screen.findByRole('region', { name: 'Plan: pro' })).toBeInTheDocument();
    expect(usageOf('Disk quota (MB)')).toHaveTextContent(/^Unlimited/);
  });

  it('shows home, user ID and shell from GET /accounts/{own name}', async () => {
    renderOverview(ownerUser(makeAccount({ shell: 'bash' })));

    const server = await screen.findByRole('region', { name: 'On the server' });
    expect(await within(server).findByText('/home/alice')).toBeInTheDocument();
    expect(within(server).getByText('User ID').nextElementSibling).toHaveTextContent('1001');
    expect(within(server).getByText('Shell').nextElementSibling).toHaveTextContent('No shell access');
  });

  it('says unlimited when the plan sets no limit', async () => {
    renderOverview(ownerUser(makeAccount(), makePlan(), { max_domains: 1, max_aliases: 0 }));

    expect(await screen.findByRole('region', { name: 'Plan: default' })).toBeInTheDocument();
    expect(usageOf('Domains')).toHaveTextContent('1 domain, unlimited');
    expect(usageOf('Aliases per domain')).toHaveTextContent('0 aliases, unlimited');
  });

  it('leaves the card out when GET /me carries no plan', async () => {
    renderOverview({ ...ownerUser(), plan: null, usage: null });

    expect(await screen.findByRole('heading', { name: 'Overview' })).toBeInTheDocument();
    expect(await screen.findByText('/home/alice')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: /^Plan:/ })).not.toBeInTheDocument();
  });
});
