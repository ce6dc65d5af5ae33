import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { makeDatabase, makeDatabaseUser, page } from '../test-utils';

const shop = makeDatabase({ name: 'alice_shop', size_bytes: 3_355_443, users: ['alice_rw'] });
const blog = makeDatabase({ name: 'alice_blog', size_bytes: null });
const rw = makeDatabaseUser({ name: 'alice_rw', databases: ['alice_shop'] });

function ownerApi(extra = {}) {
  signInAs(ownerUser());
  return mockApi({
    'GET /api/v1/databases': () => json(200, page([blog, shop])),
    'GET /api/v1/database-users': () => json(200, page([rw])),
    ...extra,
  });
}

describe('databases page', () => {
  it('lists databases with their size and users, and users with their databases', async () => {
    ownerApi();
    renderApp('/panel/databases');

    const databases = await screen.findByRole('table', { name: 'Databases' });
    const shopRow = within(databases).getByRole('row', { name: /alice_shop/ });
    expect(within(shopRow).getByText('3.2 MB')).toBeInTheDocument();
    expect(within(shopRow).getByText('alice_rw')).toBeInTheDocument();
    const blogRow = within(databases).getByRole('row', { name: /alice_blog/ });
    expect(within(blogRow).getByText('Not measured')).toBeInTheDocument();
    expect(within(blogRow).getByText('No users')).toBeInTheDocument();
    expect(within(databases).queryByRole('columnheader', { name: 'Account' })).not.toBeInTheDocument();

    const users = await screen.findByRole('table', { name: 'Database users' });
    expect(
      within(within(users).getByRole('row', { name: /alice_rw/ })).getByText('alice_shop'),
    ).toBeInTheDocument();
  });

  it('deletes a database only after its name is typed ("drops every table")', async () => {
    const api = ownerApi({ 'DELETE /api/v1/databases/alice_shop': () => noContent() });
    const { user } = renderApp('/panel/databases');

    await user.click(await screen.findByRole('button', { name: 'Delete database alice_shop' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete database alice_shop?' });
    expect(dialog).toHaveTextContent('drops every table');
    const confirm = within(dialog).getByRole('button', { name: 'Delete database' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type alice_shop to confirm'), 'alice_shop');
    await user.click(confirm);

    expect(await screen.findByText('Database alice_shop deleted.')).toBeInTheDocument();
    expect(api.to('DELETE', '/api/v1/databases/alice_shop')).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('changes a user’s password, showing the gateway’s error beside the field', async () => {
    let answer = problem(400, { errors: [{ field: 'password', message: 'use 8 to 72 bytes' }] });
    const api = ownerApi({ 'PATCH /api/v1/database-users/alice_rw': () => answer });
    const { user } = renderApp('/panel/databases');

    await user.click(await screen.findByRole('button', { name: 'Change password of alice_rw' }));
    const dialog = screen.getByRole('dialog', { name: 'Change password of alice_rw' });
    const password = within(dialog).getByLabelText('New password');
    await user.type(password, 'a new long password');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(password).toHaveAccessibleDescription(/use 8 to 72 bytes/));

    answer = json(200, rw);
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password of alice_rw changed.')).toBeInTheDocument();
    expect(api.to('PATCH', '/api/v1/database-users/alice_rw').at(-1)!.body).toEqual({
      password: 'a new long password',
    });
  });

  it('changes the databases a user may use (the full list)', async () => {
    const api = ownerApi({ 'PATCH /api/v1/database-users/alice_rw': () => json(200, rw) });
    const { user } = renderApp('/panel/databases');

    await user.click(await screen.findByRole('button', { name: 'Change databases of alice_rw' }));
    const dialog = screen.getByRole('dialog', { name: 'Databases of alice_rw' });
    expect(await within(dialog).findByRole('checkbox', { name: 'alice_shop' })).toBeChecked();
    await user.click(within(dialog).getByRole('checkbox', { name: 'alice_blog' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save access' }));

    expect(await screen.findByText('Access of alice_rw saved.')).toBeInTheDocument();
    expect(api.to('PATCH', '/api/v1/database-users/alice_rw')[0]!.body).toEqual({
      databases: ['alice_blog', 'alice_shop'],
    });
  });

  it('deletes a user after confirmation', async () => {
    const api = ownerApi({ 'DELETE /api/v1/database-users/alice_rw': () => noContent() });
    const { user } = renderApp('/panel/databases');

    await user.click(await screen.findByRole('button', { name: 'Delete database user alice_rw' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete database user alice_rw?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete user' }));

    expect(await screen.findByText('Database user alice_rw deleted.')).toBeInTheDocument();
    expect(api.to('DELETE', '/api/v1/database-users/alice_rw')).toHaveLength(1);
  });

  it('offers an owner without databases to create the first one', async () => {
    signInAs(ownerUser());
    mockApi({
      'GET /api/v1/databases': () => json(200, page([])),
      'GET /api/v1/database-users': () => json(200, page([])),
    });
    const { user } = renderApp('/panel/databases');

    await user.click(await screen.findByRole('button', { name: 'Create your first database' }));
    expect(screen.getByRole('dialog', { name: 'Create database' })).toBeInTheDocument();
    expect(screen.getByText('No database users yet')).toBeInTheDocument();
  });

  it('says when the list cannot be loaded, and tries again', async () => {
    signInAs(ownerUser());
    let fail = true;
    mockApi({
      'GET /api/v1/databases': () =>
        fail ? problem(503, { title: 'Agent unavailable' }) : json(200, page([shop])),
      'GET /api/v1/database-users': () => json(200, page([])),
    });
    const { user } = renderApp('/panel/databases');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load databases');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Databases' })).toBeInTheDocument();
  });

  it('shows administrators every account’s, filtered by account from the address', async () => {
    signInAs(adminUser);
    const api = mockApi({
      'GET /api/v1/databases': (req) =>
        req.query.get('account') === 'nobody'
          ? problem(404, { title: 'Not found' })
          : json(200, page([makeDatabase({ name: 'bob_wiki', account: 'bob' })])),
      'GET /api/v1/database-users': (req) =>
        req.query.get('account') === 'nobody' ? problem(404, { title: 'Not found' }) : json(200, page([])),
    });
    const { user } = renderApp('/admin/databases?account=bob');

    const table = await screen.findByRole('table', { name: 'Databases' });
    expect(within(table).getByRole('link', { name: 'bob' })).toHaveAttribute('href', '/admin/accounts/bob');
    expect(api.to('GET', '/api/v1/databases')[0]!.query.get('account')).toBe('bob');
    expect(screen.getByLabelText('Account')).toHaveValue('bob');

    await user.clear(screen.getByLabelText('Account'));
    await user.type(screen.getByLabelText('Account'), 'nobody');
    await waitFor(() => expect(screen.getAllByText('No such account')).toHaveLength(2));
  });
});
