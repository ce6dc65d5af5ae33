import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Me } from '@/types/api';
import { makeAccount, makePlan, ownerUser } from '@/testing/fixtures';
import { json, mockApi } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

function renderOverview(me: Me) {
  mockApi({ 'GET /api/v1/me': () => json(200, me) });
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
    renderOverview(ownerUser(makeAccount(), plan, { max_domains: 3, max_aliases: 2 }));

    expect(await screen.findByRole('region', { name: 'Plan: basic' })).toBeInTheDocument();
    expect(usageOf('Domains')).toHaveTextContent('3 of 10 domains');
    expect(usageOf('Aliases per domain')).toHaveTextContent('2 of 5 aliases');
    // Limits whose use the gateway does not count yet show the limit alone.
    expect(usageOf('Databases')).toHaveTextContent('None allowed');
    expect(usageOf('Cron jobs')).toHaveTextContent('Unlimited');
    expect(usageOf('Disk quota (MB)')).toHaveTextContent('Up to 1,024 MB');
    expect(usageOf('Disk quota (MB)')).toHaveTextContent('not enforced yet');
    expect(screen.getByRole('link', { name: 'Manage domains' })).toHaveAttribute('href', '/panel/domains');
  });

  it('says unlimited when the plan sets no limit', async () => {
    renderOverview(ownerUser(makeAccount(), makePlan(), { max_domains: 1, max_aliases: 0 }));

    expect(await screen.findByRole('region', { name: 'Plan: default' })).toBeInTheDocument();
    expect(usageOf('Domains')).toHaveTextContent('1 domain, unlimited');
    expect(usageOf('Aliases per domain')).toHaveTextContent('0 aliases, unlimited');
  });

  it('leaves the card out when GET /me carries no plan', async () => {
    const { plan: _plan, usage: _usage, ...withoutPlan } = ownerUser();
    renderOverview(withoutPlan);

    expect(await screen.findByRole('heading', { name: 'Overview' })).toBeInTheDocument();
    await screen.findByText('Coming next');
    expect(screen.queryByRole('region', { name: /^Plan:/ })).not.toBeInTheDocument();
  });
});
