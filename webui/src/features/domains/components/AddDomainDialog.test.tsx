import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { json, mockApi, problem } from '@/testing/mock-api';
import { ownerUser } from '@/testing/fixtures';
import { renderWithProviders, signInAs } from '@/testing/render';
import { makeDomain } from '../test-utils';
import type { DomainsArea } from '../types';
import { AddDomainDialog } from './AddDomainDialog';

const phpVersions = { 'GET /api/v1/php-versions': () => json(200, { versions: ['8.3', '8.2'] }) };

function renderDialog(area: DomainsArea = 'panel') {
  const onClose = vi.fn();
  const rendered = renderWithProviders(<AddDomainDialog open onClose={onClose} area={area} />);
  return { ...rendered, onClose, dialog: screen.getByRole('dialog', { name: 'Add domain' }) };
}

const created = () => json(201, makeDomain({ name: 'shop.example' }));
const posted = (api: ReturnType<typeof mockApi>) => api.to('POST', '/api/v1/domains').map((r) => r.body);

describe('AddDomainDialog', () => {
  it('opens with the name focused and PHP, newest version, chosen', async () => {
    mockApi(phpVersions);
    const { dialog } = renderDialog();

    expect(within(dialog).getByLabelText('Domain name')).toHaveFocus();
    expect(within(dialog).getByRole('group', { name: 'Backend' })).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: 'PHP' })).toBeChecked();
    const version = within(dialog).getByLabelText('PHP version');
    await waitFor(() => expect(version).toHaveValue('8.3'));
    expect(
      within(version)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['8.3 (newest)', '8.2']);
    expect(within(dialog).queryByLabelText('Account')).not.toBeInTheDocument();
  });

  it('shows a bad name beside the name field before sending anything', async () => {
    const api = mockApi(phpVersions);
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Domain name'), 'bad_name!');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    const name = within(dialog).getByLabelText('Domain name');
    expect(name).toBeInvalid();
    expect(name).toHaveAccessibleDescription(/Use a name such as example\.com/);
    expect(posted(api)).toHaveLength(0);

    // Editing the field clears its message.
    await user.clear(name);
    await user.type(name, 'shop.example');
    expect(name).not.toBeInvalid();
  });

  it('sends the name (normalised), aliases and the PHP backend', async () => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    const { user, dialog, onClose } = renderDialog();
    await waitFor(() => expect(within(dialog).getByLabelText('PHP version')).toHaveValue('8.3'));

    await user.type(within(dialog).getByLabelText('Domain name'), ' Shop.Example. ');
    await user.click(within(dialog).getByRole('button', { name: 'Add alias' }));
    // The new row takes the focus, so keyboard users type straight into it.
    expect(within(dialog).getByLabelText('Alias 1')).toHaveFocus();
    await user.keyboard('www.shop.example');
    await user.selectOptions(within(dialog).getByLabelText('PHP version'), '8.2');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([
      { name: 'shop.example', aliases: ['www.shop.example'], backend: { type: 'php', version: '8.2' } },
    ]);
    expect(await screen.findByText('Domain shop.example added.')).toBeInTheDocument();
  });

  it('creates the domain’s DNS zone too when asked (the API’s default is not to)', async () => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    const { user, dialog, onClose } = renderDialog();
    await waitFor(() => expect(within(dialog).getByLabelText('PHP version')).toHaveValue('8.3'));

    const zone = within(dialog).getByRole('checkbox', { name: 'Also create a DNS zone for this domain' });
    expect(zone).not.toBeChecked();
    expect(zone).toHaveAccessibleDescription(/With the usual records/);
    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(zone);
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([
      { name: 'shop.example', backend: { type: 'php', version: '8.3' }, dns_zone: true },
    ]);
  });

  it.each([
    ['Static files', {}, { type: 'static' }],
    [
      'Proxy to an application',
      { 'Socket path': '/home/.apps/alice/shop.sock' },
      { type: 'proxy', socket_path: '/home/.apps/alice/shop.sock' },
    ],
    [
      'Redirect',
      { 'Redirect to': 'https://www.example.org/' },
      { type: 'redirect', url: 'https://www.example.org/', code: 301, preserve_path: true },
    ],
  ])('sends the %s backend with its own fields', async (choice, fields, backend) => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(within(dialog).getByRole('radio', { name: choice }));
    expect(within(dialog).queryByLabelText('PHP version')).not.toBeInTheDocument();
    for (const [label, value] of Object.entries(fields)) {
      await user.type(within(dialog).getByLabelText(label), value);
    }
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'shop.example', backend }]);
  });

  it('checks the backend’s own fields: port range, redirect address, code and path', async () => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    const { user, dialog, onClose } = renderDialog();
    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');

    await user.click(within(dialog).getByRole('radio', { name: 'Proxy to an application' }));
    await user.selectOptions(within(dialog).getByLabelText('Application listens on'), 'port');
    await user.type(within(dialog).getByLabelText('Application port'), '80');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    expect(within(dialog).getByLabelText('Application port')).toHaveAccessibleDescription(/1024 to 65535/);

    await user.click(within(dialog).getByRole('radio', { name: 'Redirect' }));
    await user.type(within(dialog).getByLabelText('Redirect to'), 'example.org');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    const url = within(dialog).getByLabelText('Redirect to');
    expect(url).toHaveAccessibleDescription(/starts with https:\/\//);
    expect(posted(api)).toHaveLength(0);

    await user.clear(url);
    await user.type(url, 'http://example.org');
    await user.selectOptions(within(dialog).getByLabelText('Redirect type'), '302');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Keep the path' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)[0]).toMatchObject({
      backend: { type: 'redirect', url: 'http://example.org', code: 302, preserve_path: false },
    });
  });

  it('proxies to a socket by default, in the signed-in account’s own folder only', async () => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    signInAs(ownerUser());
    const { user, dialog, onClose } = renderDialog();
    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(within(dialog).getByRole('radio', { name: 'Proxy to an application' }));

    expect(within(dialog).getByLabelText('Application listens on')).toHaveValue('socket');
    const socket = within(dialog).getByLabelText('Socket path');
    expect(socket).toHaveAttribute('placeholder', '/home/.apps/alice/app.sock');
    for (const hostile of [
      '/home/.apps/bob/app.sock',
      '/home/.apps/alice/../bob/app.sock',
      '/run/php/x.sock',
    ]) {
      await user.clear(socket);
      await user.type(socket, hostile);
      await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
      expect(socket).toHaveAccessibleDescription(/\/home\/\.apps\/alice\/<name>\.sock/);
    }
    expect(posted(api)).toHaveLength(0);

    await user.clear(socket);
    await user.type(socket, '/home/.apps/alice/shop.sock');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([
      { name: 'shop.example', backend: { type: 'proxy', socket_path: '/home/.apps/alice/shop.sock' } },
    ]);
  });

  it('shows the server’s refusal of a port beside the port field', async () => {
    mockApi({
      ...phpVersions,
      'POST /api/v1/domains': () =>
        problem(400, {
          title: 'Invalid request',
          errors: [
            {
              field: 'backend.port',
              message: 'is not a port this server allows (allowed: none); use a socket',
            },
          ],
        }),
    });
    const { user, dialog } = renderDialog();
    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(within(dialog).getByRole('radio', { name: 'Proxy to an application' }));
    await user.selectOptions(within(dialog).getByLabelText('Application listens on'), 'port');
    await user.type(within(dialog).getByLabelText('Application port'), '3306');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() =>
      expect(within(dialog).getByLabelText('Application port')).toHaveAccessibleDescription(/use a socket/),
    );
  });

  it('puts the gateway’s field errors beside name, the right alias and the redirect address', async () => {
    mockApi({
      ...phpVersions,
      'POST /api/v1/domains': () =>
        problem(400, {
          title: 'Invalid request',
          errors: [
            { field: 'name', message: 'xn--bad is not valid IDNA.' },
            { field: 'aliases.1', message: 'www.taken.example is served by another domain.' },
            { field: 'backend.url', message: 'The address must not point at this site.' },
          ],
        }),
    });
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(within(dialog).getByRole('button', { name: 'Add alias' }));
    await user.keyboard('a.shop.example');
    await user.click(within(dialog).getByRole('button', { name: 'Add alias' }));
    await user.keyboard('www.taken.example');
    await user.click(within(dialog).getByRole('radio', { name: 'Redirect' }));
    await user.type(within(dialog).getByLabelText('Redirect to'), 'https://shop.example/');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() =>
      expect(within(dialog).getByLabelText('Domain name')).toHaveAccessibleDescription(/not valid IDNA/),
    );
    expect(within(dialog).getByLabelText('Alias 1')).not.toBeInvalid();
    expect(within(dialog).getByLabelText('Alias 2')).toHaveAccessibleDescription(/served by another domain/);
    expect(within(dialog).getByLabelText('Redirect to')).toHaveAccessibleDescription(/must not point/);
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();

    // Removing the first alias moves the second up: its old message no longer fits, so it goes.
    await user.click(within(dialog).getByRole('button', { name: 'Remove alias 1' }));
    expect(within(dialog).getByLabelText('Alias 1')).toHaveValue('www.taken.example');
    expect(within(dialog).getByLabelText('Alias 1')).not.toBeInvalid();
    expect(within(dialog).getByLabelText('Alias 1')).toHaveFocus();
  });

  it('checks aliases: empty rows, repeats and the domain’s own name', async () => {
    const api = mockApi(phpVersions);
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    for (const alias of ['', 'www.shop.example', 'WWW.shop.example', 'shop.example']) {
      await user.click(within(dialog).getByRole('button', { name: 'Add alias' }));
      if (alias) await user.keyboard(alias);
    }
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    expect(within(dialog).getByLabelText('Alias 1')).toHaveAccessibleDescription(/remove this row/);
    expect(within(dialog).getByLabelText('Alias 2')).not.toBeInvalid();
    expect(within(dialog).getByLabelText('Alias 3')).toHaveAccessibleDescription(/listed twice/);
    expect(within(dialog).getByLabelText('Alias 4')).toHaveAccessibleDescription(/own name/);
    expect(api.to('POST', '/api/v1/domains')).toHaveLength(0);
  });

  it('takes a wildcard alias below the site’s own names, and says why not otherwise', async () => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    const { user, dialog, onClose } = renderDialog();
    await waitFor(() => expect(within(dialog).getByLabelText('PHP version')).toHaveValue('8.3'));
    expect(within(dialog).getByRole('group', { name: /Aliases/ })).toHaveAccessibleDescription(
      /\*\.example\.com shows it for every name below example\.com/,
    );

    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    for (const alias of ['*.shop.example', '*.other.example', 'a*.shop.example', '*.*.shop.example']) {
      await user.click(within(dialog).getByRole('button', { name: 'Add alias' }));
      await user.keyboard(alias);
    }
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    expect(within(dialog).getByLabelText('Alias 1')).not.toBeInvalid();
    expect(within(dialog).getByLabelText('Alias 2')).toHaveAccessibleDescription(
      /Add other\.example itself too/,
    );
    expect(within(dialog).getByLabelText('Alias 3')).toHaveAccessibleDescription(/Use a name such as/);
    expect(within(dialog).getByLabelText('Alias 4')).toHaveAccessibleDescription(
      /Use \* only as the whole first part/,
    );
    expect(posted(api)).toHaveLength(0);

    for (const index of [4, 3, 2]) {
      await user.click(within(dialog).getByRole('button', { name: `Remove alias ${index}` }));
    }
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([
      { name: 'shop.example', aliases: ['*.shop.example'], backend: { type: 'php', version: '8.3' } },
    ]);
  });

  it('shows a plan limit (403) at the top of the form, with its title', async () => {
    mockApi({
      ...phpVersions,
      'POST /api/v1/domains': () =>
        problem(403, { title: 'Plan limit reached', detail: "Your plan 'basic' allows 10 domains." }),
    });
    const { user, dialog, onClose } = renderDialog();

    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Plan limit reached');
    expect(alert).toHaveTextContent("Your plan 'basic' allows 10 domains.");
    expect(onClose).not.toHaveBeenCalled();
  });

  it('asks administrators for the owning account', async () => {
    const api = mockApi({ ...phpVersions, 'POST /api/v1/domains': created });
    const { user, dialog, onClose } = renderDialog('admin');

    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    expect(within(dialog).getByLabelText('Account')).toHaveAccessibleDescription(/Enter an account name/);

    await user.type(within(dialog).getByLabelText('Account'), 'bob');
    await user.click(within(dialog).getByRole('radio', { name: 'Static files' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'shop.example', account: 'bob', backend: { type: 'static' } }]);
  });
});
