import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useSession } from '@/lib/session';
import { authResponse, ownerUser } from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { SshKey } from '../types';

const laptop: SshKey = {
  id: '0a1b2c3d4e5f6a7b',
  account: 'alice',
  fingerprint: 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU',
  type: 'ssh-ed25519',
  bits: 256,
  comment: 'alice@laptop',
  public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
  status: 'active',
  created_at: '2026-12-04T10:00:00Z',
};

const page = (items: SshKey[] = [laptop], enabled = true, shell = false) => ({
  'GET /api/v1/ssh-keys': () => json(200, { items, next_page_token: null }),
  'GET /api/v1/ssh-access': () => json(200, { account: 'alice', enabled, shell }),
});

describe('SFTP and passwords page', () => {
  it('shows SFTP access and lists keys by name and fingerprint', async () => {
    signInAs(ownerUser());
    mockApi(page());
    renderApp('/panel/sftp');

    expect(await screen.findByText('On')).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'SSH keys' });
    const row = within(table).getByRole('row', { name: /alice@laptop/ });
    expect(within(row).getByText(laptop.fingerprint).tagName).toBe('CODE');
  });

  it('says when the plan gives a shell over SSH, and when it gives SFTP only', async () => {
    signInAs(ownerUser());
    mockApi(page([], true, true));
    const { unmount } = renderApp('/panel/sftp');
    expect(await screen.findByText(/Your plan gives you a shell over SSH/)).toBeInTheDocument();
    unmount();

    mockApi(page([], true, false));
    renderApp('/panel/sftp');
    expect(await screen.findByText(/SFTP only: your plan gives no shell/)).toBeInTheDocument();
  });

  it('says when an administrator switched SFTP off', async () => {
    signInAs(ownerUser());
    mockApi(page([], false));
    renderApp('/panel/sftp');

    expect(await screen.findByText(/switched SFTP off/)).toBeInTheDocument();
    expect(await screen.findByText('No keys yet')).toBeInTheDocument();
  });

  it('adds a key, and shows the gateway’s refusal beside the field', async () => {
    signInAs(ownerUser());
    const api = mockApi({
      ...page([]),
      'POST /api/v1/ssh-keys': ({ body }) =>
        (body as { public_key: string }).public_key.startsWith('command=')
          ? problem(400, {
              title: 'Bad request',
              errors: [{ field: 'public_key', message: 'options such as command= are not allowed' }],
            })
          : json(201, laptop),
    });
    const { user } = renderApp('/panel/sftp');

    const form = await screen.findByRole('form', { name: 'Add an SSH key' });
    await user.type(within(form).getByLabelText(/Public key/), `command="sh" ${laptop.public_key}`);
    await user.click(within(form).getByRole('button', { name: 'Add key' }));
    expect(await within(form).findByText('options such as command= are not allowed')).toBeInTheDocument();

    await user.clear(within(form).getByLabelText(/Public key/));
    await user.type(within(form).getByLabelText(/Public key/), `${laptop.public_key} alice@laptop`);
    await user.click(within(form).getByRole('button', { name: 'Add key' }));
    expect(await screen.findByText(`Key added: ${laptop.fingerprint}`)).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/ssh-keys').at(-1)!.body).toEqual({
      public_key: `${laptop.public_key} alice@laptop`,
    });
  });

  it('removes a key after confirmation', async () => {
    signInAs(ownerUser());
    const api = mockApi({ ...page(), [`DELETE /api/v1/ssh-keys/${laptop.id}`]: () => noContent() });
    const { user } = renderApp('/panel/sftp');

    await user.click(await screen.findByRole('button', { name: `Remove key: ${laptop.fingerprint}` }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this key?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove key' }));
    expect(await screen.findByText('Key removed: it no longer signs in.')).toBeInTheDocument();
    expect(api.to('DELETE', `/api/v1/ssh-keys/${laptop.id}`)).toHaveLength(1);
  });

  it('changes the panel password and keeps this browser signed in with the new session', async () => {
    const owner = ownerUser();
    signInAs(owner, 'old-token');
    const api = mockApi({
      ...page(),
      'POST /api/v1/me/password': () => json(200, authResponse(owner, 'new-token')),
    });
    const { user } = renderApp('/panel/sftp');

    const form = await screen.findByRole('form', { name: 'Change panel password' });
    await user.type(within(form).getByLabelText('Current panel password'), 'owner-pass-1');
    await user.type(within(form).getByLabelText('New password'), 'brand-new-pass');
    await user.click(within(form).getByRole('button', { name: 'Change panel password' }));

    expect(await screen.findByText(/other sessions are signed out/)).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/me/password')[0]!.body).toEqual({
      current_password: 'owner-pass-1',
      new_password: 'brand-new-pass',
    });
    expect(useSession.getState().accessToken).toBe('new-token');
  });

  it('says so when the current password is wrong, and changes nothing', async () => {
    signInAs(ownerUser(), 'old-token');
    mockApi({
      ...page(),
      'POST /api/v1/me/system-password': () =>
        problem(403, { title: 'Forbidden', detail: 'The current password is wrong.' }),
    });
    const { user } = renderApp('/panel/sftp');

    const form = await screen.findByRole('form', { name: 'Set SFTP password' });
    await user.type(within(form).getByLabelText('Current panel password'), 'not-it-at-all');
    await user.type(within(form).getByLabelText('New password'), 'sftp-pass-1');
    await user.click(within(form).getByRole('button', { name: 'Set SFTP password' }));

    expect(await within(form).findByText('The current password is wrong.')).toBeInTheDocument();
    expect(useSession.getState().accessToken).toBe('old-token');
  });
});
