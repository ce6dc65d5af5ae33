import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, makeAccount, makeAccountSystem } from '@/testing/fixtures';
import { json, mockApi } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

describe('accounts list', () => {
  it('lists accounts with status badges and walks pages by token', async () => {
    const api = mockApi({
      'GET /api/v1/accounts': (req) =>
        req.query.get('page_token') === 'page-2'
          ? json(200, { items: [makeAccount({ name: 'zed', status: 'suspended' })], next_page_token: null })
          : json(200, {
              items: [
                makeAccount({ name: 'alice' }),
                makeAccount({ name: 'bob', status: 'pending', email: null }),
              ],
              next_page_token: 'page-2',
            }),
    });
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts');

    const table = await screen.findByRole('table', { name: 'Accounts' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByRole('link', { name: 'alice' })).toHaveAttribute(
      'href',
      '/admin/accounts/alice',
    );
    expect(within(rows[1]!).getByText('Active')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('Pending')).toBeInTheDocument();

    const pagination = screen.getByRole('navigation', { name: 'Accounts pages' });
    expect(within(pagination).getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await user.click(within(pagination).getByRole('button', { name: 'Next page' }));

    expect(await screen.findByRole('link', { name: 'zed' })).toBeInTheDocument();
    expect(screen.getByText('Suspended')).toBeInTheDocument();
    expect(api.requests.at(-1)!.query.get('page_token')).toBe('page-2');
    expect(within(pagination).getByRole('button', { name: 'Next page' })).toBeDisabled();

    await user.click(within(pagination).getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('link', { name: 'alice' })).toBeInTheDocument();
  });

  it("shows each account's disk use, with its limit where it has one", async () => {
    const MiB = 1024 * 1024;
    mockApi({
      'GET /api/v1/accounts': () =>
        json(200, {
          items: [
            makeAccount({
              name: 'alice',
              system: makeAccountSystem({
                disk: {
                  enforced: true,
                  used_bytes: 120 * MiB,
                  limit_bytes: 500 * MiB,
                  used_inodes: null,
                  inode_limit: null,
                },
              }),
            }),
            makeAccount({
              name: 'bob',
              system: makeAccountSystem({
                disk: {
                  enforced: true,
                  used_bytes: 3.5 * MiB,
                  limit_bytes: null,
                  used_inodes: null,
                  inode_limit: null,
                },
              }),
            }),
            makeAccount({ name: 'carol', status: 'pending' }),
          ],
          next_page_token: null,
        }),
    });
    signInAs(adminUser);
    renderApp('/admin/accounts');

    const table = await screen.findByRole('table', { name: 'Accounts' });
    const rows = within(table).getAllByRole('row');
    expect(within(table).getByRole('columnheader', { name: 'Disk' })).toBeInTheDocument();
    expect(within(rows[1]!).getByText('120 MB of 500 MB')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('3.5 MB')).toBeInTheDocument();
    expect(within(rows[3]!).getByText('—')).toBeInTheDocument();
  });

  it('searches by name prefix and says when nothing matches', async () => {
    const api = mockApi({
      'GET /api/v1/accounts': (req) =>
        req.query.get('q')
          ? json(200, { items: [], next_page_token: null })
          : json(200, { items: [makeAccount()], next_page_token: null }),
    });
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts');
    await screen.findByRole('link', { name: 'alice' });

    await user.type(screen.getByRole('searchbox', { name: 'Search accounts' }), 'Xy');

    expect(await screen.findByText('No matching accounts')).toBeInTheDocument();
    await waitFor(() => expect(api.requests.at(-1)!.query.get('q')).toBe('xy'));
    expect(api.requests.at(-1)!.query.has('page_token')).toBe(false);
  });

  it('offers to create the first account when there are none', async () => {
    mockApi({ 'GET /api/v1/accounts': () => json(200, { items: [], next_page_token: null }) });
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts');

    await user.click(await screen.findByRole('button', { name: 'Create the first account' }));

    expect(screen.getByRole('dialog', { name: 'Create account' })).toBeInTheDocument();
  });
});
