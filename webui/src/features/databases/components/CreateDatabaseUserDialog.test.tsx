import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Area } from '@/config/paths';
import { ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders, signInAs } from '@/testing/render';
import { makeDatabase, makeDatabaseUser, page } from '../test-utils';
import { CreateDatabaseUserDialog } from './CreateDatabaseUserDialog';

const databases = (account = 'alice') => ({
  'GET /api/v1/databases': () =>
    json(200, page(['blog', 'shop', 'wiki'].map((n) => makeDatabase({ name: `${account}_${n}`, account })))),
});

function renderDialog(area: Area = 'panel') {
  if (area === 'panel') signInAs(ownerUser());
  const onClose = vi.fn();
  const rendered = renderWithProviders(<CreateDatabaseUserDialog open onClose={onClose} area={area} />);
  return { ...rendered, onClose, dialog: screen.getByRole('dialog', { name: 'Create database user' }) };
}

const posted = (api: ReturnType<typeof mockApi>) =>
  api.to('POST', '/api/v1/database-users').map((r) => r.body);

describe('CreateDatabaseUserDialog', () => {
  it('creates a user with a password and the databases ticked', async () => {
    const api = mockApi({
      ...databases(),
      'POST /api/v1/database-users': () => json(201, makeDatabaseUser()),
    });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('User name'), 'rw');
    await user.type(within(dialog).getByLabelText('Password'), 'correct horse battery');
    const group = within(dialog).getByRole('group', { name: /Databases it may use/ });
    await user.click(await within(group).findByRole('checkbox', { name: 'alice_wiki' }));
    await user.click(within(group).getByRole('checkbox', { name: 'alice_blog' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    // In the order shown, whatever the order ticked.
    expect(posted(api)).toEqual([
      { name: 'alice_rw', password: 'correct horse battery', databases: ['alice_blog', 'alice_wiki'] },
    ]);
    expect(api.to('GET', '/api/v1/databases')[0]!.query.get('limit')).toBe('200');
  });

  it('generates a strong password and shows it; Show and Hide toggle it', async () => {
    mockApi(databases());
    const { user, dialog } = renderDialog();
    const password = within(dialog).getByLabelText('Password');

    expect(password).toHaveAttribute('type', 'password');
    expect(password).toHaveAttribute('autocomplete', 'new-password');
    await user.click(within(dialog).getByRole('button', { name: 'Generate a strong password' }));
    expect(password).toHaveAttribute('type', 'text');
    const generated = (password as HTMLInputElement).value;
    expect(generated).toMatch(/^[A-Za-z0-9._-]{24}$/);

    await user.click(within(dialog).getByRole('button', { name: 'Hide password' }));
    expect(password).toHaveAttribute('type', 'password');
    await user.click(within(dialog).getByRole('button', { name: 'Show password' }));
    expect(password).toHaveAttribute('type', 'text');

    await user.click(within(dialog).getByRole('button', { name: 'Generate a strong password' }));
    expect((password as HTMLInputElement).value).not.toBe(generated);
  });

  it('puts the gateway’s errors beside name, password and the refused database', async () => {
    mockApi({
      ...databases(),
      'POST /api/v1/database-users': () =>
        problem(400, {
          title: 'Invalid request',
          errors: [
            { field: 'name', message: 'is taken by a system user' },
            { field: 'password', message: 'must not contain control characters' },
            { field: 'databases.1', message: "'alice_wiki' is not a database of alice" },
          ],
        }),
    });
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('User name'), 'rw');
    await user.type(within(dialog).getByLabelText('Password'), 'long enough pass');
    await user.click(await within(dialog).findByRole('checkbox', { name: 'alice_wiki' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'alice_shop' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));

    const wiki = within(dialog).getByRole('checkbox', { name: 'alice_wiki' });
    // databases.1 is the second database sent: alice_shop, alice_wiki in the order shown.
    await waitFor(() => expect(wiki).toHaveAccessibleDescription(/is not a database of alice/));
    expect(wiki).toBeInvalid();
    expect(within(dialog).getByRole('checkbox', { name: 'alice_shop' })).not.toBeInvalid();
    expect(within(dialog).getByLabelText('User name')).toHaveAccessibleDescription(/taken by a system user/);
    expect(within(dialog).getByLabelText('Password')).toHaveAccessibleDescription(/control characters/);
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();

    // Unticking the refused database clears its message; the others stay.
    await user.click(wiki);
    expect(wiki).not.toBeInvalid();
    expect(within(dialog).getByLabelText('Password')).toBeInvalid();
  });

  it('checks the name and password before sending', async () => {
    const api = mockApi(databases());
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Password'), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));

    expect(within(dialog).getByLabelText('User name')).toHaveAccessibleDescription(/after alice_/);
    expect(within(dialog).getByLabelText('Password')).toHaveAccessibleDescription(/at least 8 characters/);
    expect(posted(api)).toHaveLength(0);
  });

  it('says when the account has no databases yet, and sends none', async () => {
    const api = mockApi({
      'GET /api/v1/databases': () => json(200, page([])),
      'POST /api/v1/database-users': () => json(201, makeDatabaseUser()),
    });
    const { user, dialog, onClose } = renderDialog();

    expect(await within(dialog).findByText(/There are no databases yet/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('User name'), 'rw');
    await user.type(within(dialog).getByLabelText('Password'), 'long enough pass');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'alice_rw', password: 'long enough pass' }]);
  });

  it('lists the databases of the account an administrator names', async () => {
    const api = mockApi(databases('bob'));
    const { user, dialog } = renderDialog('admin');

    expect(within(dialog).getByText('Enter the account to choose from its databases.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Account'), 'bob');
    expect(await within(dialog).findByRole('checkbox', { name: 'bob_shop' })).toBeInTheDocument();
    expect(api.to('GET', '/api/v1/databases').at(-1)!.query.get('account')).toBe('bob');
  });
});
