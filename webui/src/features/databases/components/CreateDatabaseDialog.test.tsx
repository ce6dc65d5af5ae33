import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Area } from '@/config/paths';
import { ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders, signInAs } from '@/testing/render';
import { makeDatabase } from '../test-utils';
import { CreateDatabaseDialog } from './CreateDatabaseDialog';

function renderDialog(area: Area = 'panel') {
  if (area === 'panel') signInAs(ownerUser());
  const onClose = vi.fn();
  const rendered = renderWithProviders(<CreateDatabaseDialog open onClose={onClose} area={area} />);
  return { ...rendered, onClose, dialog: screen.getByRole('dialog', { name: 'Create database' }) };
}

const posted = (api: ReturnType<typeof mockApi>) => api.to('POST', '/api/v1/databases').map((r) => r.body);

describe('CreateDatabaseDialog', () => {
  it('shows the fixed "<account>_" prefix; the owner types the rest', async () => {
    const api = mockApi({ 'POST /api/v1/databases': () => json(201, makeDatabase()) });
    const { user, dialog, onClose } = renderDialog();

    const name = within(dialog).getByLabelText('Database name');
    expect(name).toHaveFocus();
    expect(within(dialog).getByText('alice_')).toBeInTheDocument();
    expect(name).toHaveAccessibleDescription(/Names start with alice_/);
    await user.type(name, 'shop');
    // The whole name, in words, for screen readers and for the eye.
    expect(name).toHaveAccessibleDescription(/The full name is alice_shop\./);
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'alice_shop' }]);
    expect(await screen.findByText('Database alice_shop created.')).toBeInTheDocument();
  });

  it('checks the rest of the name before sending', async () => {
    const api = mockApi({});
    const { user, dialog } = renderDialog();
    const name = within(dialog).getByLabelText('Database name');

    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));
    expect(name).toBeInvalid();
    expect(name).toHaveAccessibleDescription(/Enter the rest of the name, after alice_/);

    await user.type(name, 'My-Shop');
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));
    expect(name).toHaveAccessibleDescription(/lowercase letters, digits and _ only/);

    await user.clear(name);
    await user.type(name, 'x'.repeat(60));
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));
    expect(name).toHaveAccessibleDescription(/The whole name is 66 characters; 64 at most/);
    expect(posted(api)).toHaveLength(0);
  });

  it('puts the gateway’s error for name beside the name field, and a 409 at the top', async () => {
    let answer = problem(400, {
      title: 'Invalid request',
      errors: [{ field: 'name', message: 'must start with alice_' }],
    });
    mockApi({ 'POST /api/v1/databases': () => answer });
    const { user, dialog } = renderDialog();
    const name = within(dialog).getByLabelText('Database name');

    await user.type(name, 'shop');
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));
    await waitFor(() => expect(name).toHaveAccessibleDescription(/must start with alice_/));
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();

    answer = problem(409, { title: 'Conflict', detail: "A database named 'alice_shop' exists already." });
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('exists already');
  });

  it('shows a plan limit (403) with its title', async () => {
    mockApi({
      'POST /api/v1/databases': () =>
        problem(403, { title: 'Plan limit reached', detail: "Your plan 'basic' allows 2 databases." }),
    });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Database name'), 'shop');
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Plan limit reached');
    expect(alert).toHaveTextContent("Your plan 'basic' allows 2 databases.");
    expect(onClose).not.toHaveBeenCalled();
  });

  it('takes the prefix from the account an administrator names', async () => {
    const api = mockApi({ 'POST /api/v1/databases': () => json(201, makeDatabase({ name: 'bob_blog' })) });
    const { user, dialog, onClose } = renderDialog('admin');

    expect(within(dialog).getByLabelText('Account')).toHaveFocus();
    await user.type(within(dialog).getByLabelText('Account'), 'bob');
    expect(within(dialog).getByText('bob_')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Database name'), 'blog');
    await user.click(within(dialog).getByRole('button', { name: 'Create database' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'bob_blog', account: 'bob' }]);
  });
});
