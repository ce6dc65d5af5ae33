import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useSession } from '@/lib/session';
import { adminUser, authResponse, resellerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

type User = ReturnType<typeof renderApp>['user'];

/** Fills in the panel password form and sends it; the form, to look at afterwards. */
async function submitPasswords(user: User, current: string, next: string) {
  const form = await screen.findByRole('form', { name: 'Change panel password' });
  await user.type(within(form).getByLabelText('Current panel password'), current);
  await user.type(within(form).getByLabelText('New password'), next);
  await user.click(within(form).getByRole('button', { name: 'Change panel password' }));
  return form;
}

describe('Your password page', () => {
  it.each([
    ['an administrator', adminUser, 'Administrator'],
    ['a reseller', resellerUser, 'Reseller'],
  ])('shows %s who is signed in, and is the last item of its navigation', async (_, me, roleName) => {
    signInAs(me);
    mockApi({});
    renderApp('/admin/password');

    expect(await screen.findByRole('heading', { level: 1, name: 'Your password' })).toBeInTheDocument();
    const signedIn = screen.getByRole('region', { name: 'Signed in as' });
    expect(within(signedIn).getByText(me.name)).toBeInTheDocument();
    expect(within(signedIn).getByText(roleName)).toBeInTheDocument();
    expect(await screen.findByRole('form', { name: 'Change panel password' })).toBeInTheDocument();

    const links = within(screen.getByRole('navigation', { name: 'Main' })).getAllByRole('link');
    expect(links.at(-1)).toHaveTextContent('Your password');
    expect(links.at(-1)).toHaveAttribute('href', '/admin/password');
  });

  it('changes the panel password, says other sessions are signed out and clears the form', async () => {
    signInAs(adminUser, 'old-token');
    const api = mockApi({
      'POST /api/v1/me/password': () => json(200, authResponse(adminUser, 'new-token')),
    });
    const { user } = renderApp('/admin/password');

    const form = await submitPasswords(user, 'admin-pass-1', 'brand-new-pass');

    expect(
      await screen.findByText('Panel password changed; other sessions are signed out.'),
    ).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/me/password')).toHaveLength(1);
    expect(api.to('POST', '/api/v1/me/password')[0]!.body).toEqual({
      current_password: 'admin-pass-1',
      new_password: 'brand-new-pass',
    });
    expect(within(form).getByLabelText('Current panel password')).toHaveValue('');
    expect(within(form).getByLabelText('New password')).toHaveValue('');
    // The answer is this browser's new session, as a sign-in's.
    expect(useSession.getState().accessToken).toBe('new-token');
  });

  it('says so when the current password is wrong, and keeps what was typed', async () => {
    signInAs(resellerUser, 'old-token');
    mockApi({
      'POST /api/v1/me/password': () =>
        problem(403, { title: 'Forbidden', detail: 'The current password is wrong.' }),
    });
    const { user } = renderApp('/admin/password');

    const form = await submitPasswords(user, 'not-it-at-all', 'brand-new-pass');

    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('Not changed');
    expect(alert).toHaveTextContent('The current password is wrong.');
    expect(within(form).getByLabelText('Current panel password')).toHaveValue('not-it-at-all');
    expect(within(form).getByLabelText('New password')).toHaveValue('brand-new-pass');
    expect(screen.queryByText(/other sessions are signed out/)).not.toBeInTheDocument();
    expect(useSession.getState().accessToken).toBe('old-token');
  });

  it.each([400, 422])('shows a %i about the new password beside that field', async (status) => {
    signInAs(adminUser);
    mockApi({
      'POST /api/v1/me/password': () =>
        problem(status, {
          title: 'Bad request',
          errors: [{ field: 'new_password', message: 'Control characters are not allowed.' }],
        }),
    });
    const { user } = renderApp('/admin/password');

    const form = await submitPasswords(user, 'admin-pass-1', 'brand-new-pass');

    const field = within(form).getByLabelText('New password');
    expect(await within(form).findByText('Control characters are not allowed.')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(expect.stringContaining('Control characters are not allowed.'));
    expect(within(form).getByLabelText('Current panel password')).not.toHaveAttribute('aria-invalid');
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('refuses a new password the server would refuse before sending anything', async () => {
    signInAs(adminUser, 'old-token');
    const api = mockApi({
      'POST /api/v1/me/password': () => json(200, authResponse(adminUser, 'new-token')),
    });
    const { user } = renderApp('/admin/password');

    const form = await submitPasswords(user, 'admin-pass-1', 'short');

    expect(await within(form).findByText('Use at least 8 characters.')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/me/password')).toHaveLength(0);
    expect(useSession.getState().accessToken).toBe('old-token');
  });
});
