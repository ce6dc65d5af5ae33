import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { domainsServer, makeDomain } from '../test-utils';

const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;

const thousand = Array.from({ length: 1000 }, (_, i) =>
  makeDomain({ name: `site${String(i).padStart(4, '0')}.example`, status: i === 1 ? 'suspended' : 'active' }),
);

describe('domains list', () => {
  it('shows 1,000 domains a page at a time, never all rows at once', async () => {
    const api = domainsServer(thousand);
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains');

    const table = await screen.findByRole('table', { name: 'Domains' });
    expect(within(table).getAllByRole('row')).toHaveLength(51);
    const first = within(table).getAllByRole('row')[1]!;
    expect(within(first).getByRole('link', { name: 'site0000.example' })).toHaveAttribute(
      'href',
      '/panel/domains/site0000.example',
    );
    expect(within(first).getByText('Active')).toBeInTheDocument();
    expect(within(within(table).getAllByRole('row')[2]!).getByText('Suspended')).toBeInTheDocument();
    // Owners see their own domains: no account column.
    expect(within(table).queryByRole('columnheader', { name: 'Account' })).not.toBeInTheDocument();

    const pager = screen.getByRole('navigation', { name: 'Domains pages' });
    for (let page = 2; page <= 20; page++) {
      await user.click(within(pager).getByRole('button', { name: 'Next page' }));
      await within(pager).findByText(`Page ${page}`);
    }
    expect(await screen.findByRole('link', { name: 'site0999.example' })).toBeInTheDocument();
    expect(within(screen.getByRole('table', { name: 'Domains' })).getAllByRole('row')).toHaveLength(51);
    expect(within(pager).getByRole('button', { name: 'Next page' })).toBeDisabled();

    // Pages already seen come back from the cache at once, without waiting for the network.
    await user.click(within(pager).getByRole('button', { name: 'Previous page' }));
    expect(screen.getByRole('link', { name: 'site0900.example' })).toBeInTheDocument();
    expect(api.requests.every((r) => Number(r.query.get('limit') ?? 50) <= 200)).toBe(true);
  });

  it('offers an owner without domains to add the first one', async () => {
    domainsServer([]);
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains');

    await user.click(await screen.findByRole('button', { name: 'Add your first domain' }));
    expect(screen.getByRole('dialog', { name: 'Add domain' })).toBeInTheDocument();
  });

  it('lists a new domain whose zone failed: the site is made first', async () => {
    let made = false;
    domainsServer([], {
      'GET /api/v1/domains': () =>
        json(200, { items: made ? [makeDomain({ name: 'shop.example' })] : [], next_page_token: null }),
      'POST /api/v1/domains': () => {
        made = true;
        return problem(409, { title: 'Conflict', detail: "The zone 'shop.example' exists already." });
      },
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains');

    await user.click(await screen.findByRole('button', { name: 'Add your first domain' }));
    const dialog = screen.getByRole('dialog', { name: 'Add domain' });
    await user.type(within(dialog).getByLabelText('Domain name'), 'shop.example');
    await user.click(
      within(dialog).getByRole('checkbox', { name: 'Also create a DNS zone for this domain' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      "The zone 'shop.example' exists already.",
    );
    const table = await screen.findByRole('table', { name: 'Domains' });
    expect(within(table).getByRole('link', { name: 'shop.example' })).toHaveAttribute(
      'href',
      '/panel/domains/shop.example',
    );
  });

  it('lets an administrator filter by account, from the address too', async () => {
    const api = domainsServer([
      makeDomain({ name: 'a.example', account: 'alice' }),
      makeDomain({ name: 'b.example', account: 'bob' }),
    ]);
    signInAs(adminUser);
    const { user } = renderApp('/admin/domains?account=bob');

    const table = await screen.findByRole('table', { name: 'Domains' });
    expect(within(table).getByRole('link', { name: 'b.example' })).toHaveAttribute(
      'href',
      '/admin/domains/b.example',
    );
    expect(within(table).getByRole('link', { name: 'bob' })).toHaveAttribute('href', '/admin/accounts/bob');
    expect(within(table).queryByText('a.example')).not.toBeInTheDocument();
    expect(api.requests.at(-1)!.query.get('account')).toBe('bob');

    const filter = screen.getByLabelText('Account');
    expect(filter).toHaveValue('bob');
    await user.clear(filter);
    expect(await screen.findByRole('link', { name: 'a.example' })).toBeInTheDocument();
    expect(api.requests.at(-1)!.query.has('account')).toBe(false);
    expect(currentPath()).toBe('/admin/domains');
  });

  it('says so when the filtered account does not exist', async () => {
    domainsServer([], { 'GET /api/v1/domains': () => problem(404, { title: 'Not found' }) });
    signInAs(adminUser);
    renderApp('/admin/domains?account=ghost');

    expect(await screen.findByText('No such account')).toBeInTheDocument();
  });

  it('searches by name prefix', async () => {
    const api = domainsServer(thousand.slice(0, 30));
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains');
    await screen.findByRole('table', { name: 'Domains' });

    await user.type(screen.getByRole('searchbox', { name: 'Search domains' }), 'SITE001');

    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(11));
    expect(api.requests.at(-1)!.query.get('q')).toBe('site001');
  });
});
