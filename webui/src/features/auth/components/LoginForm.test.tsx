import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useSession } from '@/lib/session';
import { adminUser, authResponse } from '@/testing/fixtures';
import { deferred, json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders } from '@/testing/render';
import { LoginForm } from './LoginForm';

describe('LoginForm', () => {
  it('shows the server’s field error beside the field it names', async () => {
    mockApi({
      'POST /api/v1/auth/login': () =>
        problem(400, {
          title: 'Invalid request',
          errors: [{ field: 'username', message: 'Usernames are lowercase letters and digits.' }],
        }),
    });
    const { user } = renderWithProviders(<LoginForm />);

    await user.type(screen.getByLabelText('Username'), 'Bad Name');
    await user.type(screen.getByLabelText('Password'), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const username = screen.getByLabelText('Username');
    await waitFor(() =>
      expect(username).toHaveAccessibleDescription('Usernames are lowercase letters and digits.'),
    );
    expect(username).toBeInvalid();
    expect(screen.getByLabelText('Password')).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('hides a field’s server error once the field is edited', async () => {
    mockApi({
      'POST /api/v1/auth/login': () =>
        problem(400, { errors: [{ field: 'username', message: 'Unknown characters.' }] }),
    });
    const { user } = renderWithProviders(<LoginForm />);
    await user.type(screen.getByLabelText('Username'), 'x!');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Username')).toHaveAccessibleDescription('Unknown characters.'),
    );

    await user.type(screen.getByLabelText('Username'), 'y');

    expect(screen.getByLabelText('Username')).not.toHaveAccessibleDescription();
  });

  it('shows wrong credentials as an alert for the whole form', async () => {
    mockApi({
      'POST /api/v1/auth/login': () =>
        problem(401, { title: 'Unauthorized', detail: 'Wrong username or password.' }),
    });
    const { user } = renderWithProviders(<LoginForm />);

    await user.type(screen.getByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'nope-nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(useSession.getState().status).not.toBe('authenticated');
  });

  it('checks for empty fields before asking the server', async () => {
    const api = mockApi({});
    const { user } = renderWithProviders(<LoginForm />);

    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription('Enter your username.');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('Enter your password.');
    expect(api.requests).toHaveLength(0);
  });

  it('shows a pending state, then signs in with the token kept in memory only', async () => {
    const answer = deferred<Response>();
    const api = mockApi({ 'POST /api/v1/auth/login': () => answer.promise });
    const { user } = renderWithProviders(<LoginForm />);

    await user.type(screen.getByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const pendingButton = await screen.findByRole('button', { name: 'Signing in…' });
    expect(pendingButton).toBeDisabled();
    expect(api.requests[0]!.body).toEqual({ username: 'admin', password: 'correct horse' });

    answer.resolve(json(200, authResponse(adminUser, 'fresh-token')));

    await waitFor(() => expect(useSession.getState().status).toBe('authenticated'));
    expect(useSession.getState().accessToken).toBe('fresh-token');
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });
});
