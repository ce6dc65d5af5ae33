import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { authResponse, makeAccount, makePlan, resellerUser } from '@/testing/fixtures';
import { json, mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;

function resellerApi() {
  return mockApi({
    'POST /api/v1/auth/refresh': () => json(200, authResponse(resellerUser)),
    'GET /api/v1/me': () => json(200, resellerUser),
    'GET /api/v1/accounts': () =>
      json(200, { items: [makeAccount({ plan: 'ann_gold' })], next_page_token: null }),
    'GET /api/v1/plans': () =>
      json(200, { items: [makePlan({ name: 'ann_gold', reseller: 'ann' })], next_page_token: null }),
  });
}

describe('a reseller in the administration app', () => {
  it('starts at its accounts, with no screen only administrators may open', async () => {
    resellerApi();
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Accounts' })).toBeInTheDocument();
    expect(currentPath()).toBe('/admin/accounts');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const links = within(nav)
      .getAllByRole('link')
      .map((l) => l.textContent);
    expect(links).toEqual([
      'Accounts',
      'Plans',
      'Domains',
      'Databases',
      'Cron jobs',
      'DNS',
      'File manager',
      'Backups',
      'Your password',
    ]);
    expect(
      await screen.findByText(
        'Reserved of your totals: 2 of 10 accounts; 2048 of 10240 MiB of disk; domains: no limit; databases: no limit.',
      ),
    ).toBeInTheDocument();
    // The area and the user's role both say so.
    expect(screen.getAllByText('Reseller')).toHaveLength(2);
  });

  it('is sent from administrators’ screens to its own home', async () => {
    resellerApi();
    for (const path of ['/admin', '/admin/resellers', '/admin/audit-log', '/admin/vpn']) {
      const { unmount } = renderApp(path);
      expect(await screen.findByRole('heading', { name: 'Accounts' })).toBeInTheDocument();
      expect(currentPath()).toBe('/admin/accounts');
      unmount();
    }
  });

  it('creates accounts on its own plan, not on the default one it cannot use', async () => {
    const api = resellerApi();
    const { user } = renderApp('/admin/accounts');
    await user.click(await screen.findByRole('button', { name: 'Create account' }));
    const dialog = screen.getByRole('dialog', { name: 'Create account' });
    const plan = within(dialog).getByLabelText('Plan');
    await within(dialog).findByRole('option', { name: 'ann_gold' });
    expect(plan).toHaveValue('ann_gold');
    expect(within(dialog).queryByRole('option', { name: 'default' })).not.toBeInTheDocument();
    expect(api.to('GET', '/api/v1/plans').length).toBeGreaterThan(0);
  });
});
