import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useSession } from '@/lib/session';
import {
  adminUser,
  authResponse,
  makeAccount,
  makeAccountSystem,
  makeServerOverview,
  ownerUser,
} from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;

const emptyPage = { items: [], next_page_token: null };

describe('app start-up and routing', () => {
  it('without a session, / shows the login page; signing in as admin opens /admin', async () => {
    mockApi({
      'POST /api/v1/auth/refresh': () => problem(401, { title: 'No refresh token' }),
      'POST /api/v1/auth/login': () => json(200, authResponse(adminUser)),
      'GET /api/v1/server': () => json(200, makeServerOverview({ accounts: 2 })),
    });
    const { user } = renderApp('/');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(currentPath()).toBe('/login');
    // A first visit is not an expired session.
    expect(screen.queryByText(/session has ended/)).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'admin-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeInTheDocument();
    expect(currentPath()).toBe('/admin');
    const main = screen.getByRole('main');
    const accountsStat = within(main).getByText('Accounts').parentElement!;
    await waitFor(() => expect(within(accountsStat).getByText('2')).toBeInTheDocument());
  });

  it('restores an owner’s session from the cookie and shows their account at /panel', async () => {
    const account = makeAccount({
      name: 'carol',
      shell: 'bash',
      system: makeAccountSystem({ gid: 1002, home: '/home/carol' }),
    });
    // GET /me has no live system data; the overview asks for the own account for it.
    const listed = { ...account, system: null };
    mockApi({
      'POST /api/v1/auth/refresh': () => json(200, authResponse(ownerUser(listed))),
      'GET /api/v1/me': () => json(200, ownerUser(listed)),
      'GET /api/v1/accounts/carol': () => json(200, account),
    });
    renderApp('/');

    expect(await screen.findByRole('heading', { name: 'Overview' })).toBeInTheDocument();
    expect(currentPath()).toBe('/panel');
    expect(await screen.findByText('/home/carol')).toBeInTheDocument();
    expect(screen.getByText('User ID').nextElementSibling).toHaveTextContent('1001');
    expect(screen.getByText('Group ID').nextElementSibling).toHaveTextContent('1002');
    expect(screen.getByText('Shell').nextElementSibling).toHaveTextContent('bash');
    expect(screen.getByText('Status').nextElementSibling).toHaveTextContent('Active');
  });

  it('sends an owner who opens /admin to /panel', async () => {
    mockApi({
      'POST /api/v1/auth/refresh': () => json(200, authResponse(ownerUser())),
      'GET /api/v1/me': () => json(200, ownerUser()),
    });
    renderApp('/admin/accounts');

    expect(await screen.findByRole('heading', { name: 'Overview' })).toBeInTheDocument();
    expect(currentPath()).toBe('/panel');
  });

  it('sends an admin who opens /panel to /admin', async () => {
    mockApi({
      'POST /api/v1/auth/refresh': () => json(200, authResponse(adminUser)),
      'GET /api/v1/server': () => json(200, makeServerOverview()),
    });
    renderApp('/panel');

    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeInTheDocument();
    expect(currentPath()).toBe('/admin');
  });

  it('when the session cannot be renewed mid-use, goes to /login and says why, then back after sign-in', async () => {
    let signedInAgain = false;
    mockApi({
      'POST /api/v1/auth/refresh': () =>
        useSession.getState().status === 'restoring'
          ? json(200, authResponse(adminUser, 'first'))
          : problem(401, { title: 'Refresh token expired' }),
      'GET /api/v1/audit-log': (req) =>
        signedInAgain && req.headers.get('Authorization') === 'Bearer second'
          ? json(200, emptyPage)
          : problem(401, { title: 'Token expired' }),
      'POST /api/v1/auth/login': () => {
        signedInAgain = true;
        return json(200, authResponse(adminUser, 'second'));
      },
    });
    const { user } = renderApp('/admin/audit-log');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(currentPath()).toBe('/login');
    expect(screen.getByText(/session has ended/)).toBeInTheDocument();

    await user.type(screen.getByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'admin-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Audit log' })).toBeInTheDocument();
    expect(currentPath()).toBe('/admin/audit-log');
    expect(await screen.findByText('Nothing recorded yet')).toBeInTheDocument();
  });

  it('signs out through the gateway and returns to the login page', async () => {
    const api = mockApi({
      'POST /api/v1/auth/refresh': () => json(200, authResponse(adminUser)),
      'GET /api/v1/server': () => json(200, makeServerOverview()),
      'POST /api/v1/auth/logout': () => noContent(),
    });
    const { user } = renderApp('/admin');

    await screen.findByRole('heading', { name: 'Dashboard' });
    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/auth/logout')).toHaveLength(1);
    expect(useSession.getState()).toMatchObject({
      status: 'anonymous',
      accessToken: null,
      endReason: 'logout',
    });
    expect(screen.queryByText(/session has ended/)).not.toBeInTheDocument();
  });

  it('has a labelled navigation toggle for narrow screens', async () => {
    mockApi({
      'POST /api/v1/auth/refresh': () => json(200, authResponse(adminUser)),
      'GET /api/v1/server': () => json(200, makeServerOverview()),
    });
    const { user } = renderApp('/admin');
    await screen.findByRole('heading', { name: 'Dashboard' });

    const toggle = screen.getByRole('button', { name: 'Open navigation' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(screen.getByRole('button', { name: 'Close navigation' })).toHaveAttribute('aria-expanded', 'true');

    const nav = screen.getByRole('navigation', { name: 'Main' });
    await user.click(within(nav).getByRole('link', { name: 'Accounts' }));
    expect(await screen.findByRole('heading', { name: 'Accounts' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Open navigation' })).toHaveAttribute('aria-expanded', 'false');
  });
});
