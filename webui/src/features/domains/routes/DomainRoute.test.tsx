import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { domainsServer, makeDomain } from '../test-utils';

const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;
const fact = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling;

const shop = makeDomain({
  name: 'xn--bcher-kva.example',
  unicode_name: 'bücher.example',
  aliases: ['www.xn--bcher-kva.example'],
});

describe('one domain', () => {
  it('shows the site: status, address, backend, aliases, document root', async () => {
    domainsServer([shop]);
    signInAs(ownerUser());
    renderApp('/panel/domains/xn--bcher-kva.example');

    expect(await screen.findByRole('heading', { level: 1, name: 'bücher.example' })).toBeInTheDocument();
    expect(fact('Status')).toHaveTextContent('Active');
    expect(fact('DNS name')).toHaveTextContent('xn--bcher-kva.example');
    expect(within(fact('Address') as HTMLElement).getByRole('link')).toHaveAttribute(
      'href',
      'http://xn--bcher-kva.example/',
    );
    expect(fact('Backend')).toHaveTextContent('PHP 8.2');
    expect(fact('Aliases')).toHaveTextContent('www.xn--bcher-kva.example');
    expect(fact('Document root')).toHaveTextContent('/home/alice/web/xn--bcher-kva.example/public');
    // An owner may suspend its own site.
    expect(screen.getByRole('button', { name: 'Suspend' })).toBeInTheDocument();
  });

  it('links to the domain’s DNS zone', async () => {
    domainsServer([shop], {}, ['xn--bcher-kva.example']);
    signInAs(ownerUser());
    renderApp('/panel/domains/xn--bcher-kva.example');

    await waitFor(() => expect(fact('DNS zone')).toHaveTextContent('5 records'));
    const zone = within(fact('DNS zone') as HTMLElement);
    expect(zone.getByRole('link', { name: 'xn--bcher-kva.example' })).toHaveAttribute(
      'href',
      '/panel/dns/xn--bcher-kva.example',
    );
    expect(zone.queryByRole('button', { name: 'Add DNS zone' })).not.toBeInTheDocument();
  });

  it('links an administrator to the zone in the admin area', async () => {
    domainsServer([makeDomain()], {}, ['example.com']);
    signInAs(adminUser);
    renderApp('/admin/domains/example.com');

    expect(await screen.findByRole('link', { name: 'example.com' })).toHaveAttribute(
      'href',
      '/admin/dns/example.com',
    );
  });

  it('says when the domain has no zone, and adds one with the usual records', async () => {
    const api = domainsServer([shop]);
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/xn--bcher-kva.example');

    await waitFor(() => expect(fact('DNS zone')).toHaveTextContent('No DNS zone'));
    expect(within(fact('DNS zone') as HTMLElement).queryByRole('link')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Add DNS zone' }));

    expect(await screen.findByRole('link', { name: 'xn--bcher-kva.example' })).toHaveAttribute(
      'href',
      '/panel/dns/xn--bcher-kva.example',
    );
    expect(fact('DNS zone')).not.toHaveTextContent('No DNS zone');
    expect(api.to('POST', '/api/v1/dns-zones').map((r) => r.body)).toEqual([
      { name: 'xn--bcher-kva.example', default_records: true },
    ]);
    expect(
      await screen.findByText('DNS zone xn--bcher-kva.example added with the usual records.'),
    ).toBeInTheDocument();
  });

  it('adds an administrator’s zone to the domain’s account', async () => {
    const api = domainsServer([makeDomain({ account: 'bob' })]);
    signInAs(adminUser);
    const { user } = renderApp('/admin/domains/example.com');

    await user.click(await screen.findByRole('button', { name: 'Add DNS zone' }));

    expect(await screen.findByRole('link', { name: 'example.com' })).toHaveAttribute(
      'href',
      '/admin/dns/example.com',
    );
    expect(api.to('POST', '/api/v1/dns-zones').map((r) => r.body)).toEqual([
      { name: 'example.com', account: 'bob', default_records: true },
    ]);
  });

  it('tells an owner that a suspended domain is not served', async () => {
    domainsServer([makeDomain({ status: 'suspended' })]);
    signInAs(ownerUser());
    renderApp('/panel/domains/example.com');

    expect(await screen.findByText('This domain is suspended')).toBeInTheDocument();
    expect(fact('Status')).toHaveTextContent('Suspended');
  });

  it('shows an owner who suspended the site and why, without a way to lift an administrator’s suspension', async () => {
    const suspension = { by: 'admin' as const, user: null, reason: 'Phishing page reported', at: null };
    domainsServer([makeDomain({ status: 'suspended', suspension })]);
    signInAs(ownerUser());
    renderApp('/panel/domains/example.com');

    expect(
      await screen.findByText('Suspended by an administrator: Phishing page reported'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Contact your hosting provider/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Unsuspend' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Suspend' })).not.toBeInTheDocument();
  });

  it('lets an owner suspend its own site with a reason, and resume it', async () => {
    let domain = makeDomain();
    const api = domainsServer([domain], {
      'GET /api/v1/domains/example.com': () => json(200, domain),
      'POST /api/v1/domains/example.com/suspend': (req) => {
        const { reason = null } = req.body as { reason?: string };
        const suspension = { by: 'owner' as const, user: 'alice', reason, at: null };
        return json(200, (domain = makeDomain({ status: 'suspended', suspension })));
      },
      'POST /api/v1/domains/example.com/unsuspend': () => json(200, (domain = makeDomain())),
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/example.com');

    await user.click(await screen.findByRole('button', { name: 'Suspend' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend domain example.com?' });
    await user.type(within(dialog).getByLabelText(/Reason/), 'Moving hosts');
    await user.click(within(dialog).getByRole('button', { name: 'Suspend domain' }));

    expect(await screen.findByText('Suspended by the owner (alice): Moving hosts')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/domains/example.com/suspend').map((r) => r.body)).toEqual([
      { reason: 'Moving hosts' },
    ]);
    await user.click(screen.getByRole('button', { name: 'Unsuspend' }));
    await waitFor(() => expect(fact('Status')).toHaveTextContent('Active'));
    expect(api.to('POST', '/api/v1/domains/example.com/unsuspend')).toHaveLength(1);
  });

  it('shows an administrator the gateway’s refusal when it comes', async () => {
    const suspension = { by: 'admin' as const, user: 'root_admin', reason: null, at: null };
    domainsServer([makeDomain({ status: 'suspended', suspension })], {
      'POST /api/v1/domains/example.com/unsuspend': () =>
        problem(409, {
          title: 'Conflict',
          detail: "The account is suspended; lift the account's suspension first.",
        }),
    });
    signInAs(adminUser);
    const { user } = renderApp('/admin/domains/example.com');

    expect(await screen.findByText('Suspended by an administrator (root_admin).')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Unsuspend' }));
    expect(await screen.findByText(/lift the account's suspension first/)).toBeInTheDocument();
  });

  it('says so when the domain is not there (or not the owner’s)', async () => {
    domainsServer([], { 'GET /api/v1/domains/other.example': () => problem(404, { title: 'Not found' }) });
    signInAs(ownerUser());
    renderApp('/panel/domains/other.example');

    expect(await screen.findByText('Domain not found')).toBeInTheDocument();
  });

  it('edits the aliases, with the gateway’s error beside the alias it names', async () => {
    const api = domainsServer([shop], {
      'PATCH /api/v1/domains/xn--bcher-kva.example': (req) => {
        const { aliases = [] } = req.body as { aliases?: string[] };
        return aliases.includes('taken.example')
          ? problem(409, {
              title: 'Conflict',
              errors: [
                {
                  field: `aliases.${aliases.indexOf('taken.example')}`,
                  message: 'Served by another domain.',
                },
              ],
            })
          : problem(403, {
              title: 'Plan limit reached',
              detail: "Your plan 'basic' allows 1 alias per domain.",
            });
      },
    });
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/xn--bcher-kva.example');

    await user.click(await screen.findByRole('button', { name: 'Edit aliases' }));
    const dialog = screen.getByRole('dialog', { name: 'Aliases of bücher.example' });
    expect(within(dialog).getByLabelText('Alias 1')).toHaveValue('www.xn--bcher-kva.example');
    await user.click(within(dialog).getByRole('button', { name: 'Add alias' }));
    await user.keyboard('taken.example');
    await user.click(within(dialog).getByRole('button', { name: 'Save aliases' }));

    await waitFor(() =>
      expect(within(dialog).getByLabelText('Alias 2')).toHaveAccessibleDescription(
        'Served by another domain.',
      ),
    );
    expect(within(dialog).getByLabelText('Alias 1')).not.toBeInvalid();

    await user.clear(within(dialog).getByLabelText('Alias 2'));
    await user.type(within(dialog).getByLabelText('Alias 2'), 'shop.example');
    await user.click(within(dialog).getByRole('button', { name: 'Save aliases' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      "Your plan 'basic' allows 1 alias per domain.",
    );
    expect(api.to('PATCH', '/api/v1/domains/xn--bcher-kva.example').map((r) => r.body)).toEqual([
      { aliases: ['www.xn--bcher-kva.example', 'taken.example'] },
      { aliases: ['www.xn--bcher-kva.example', 'shop.example'] },
    ]);
  });

  it('changes the backend', async () => {
    const api = domainsServer([shop]);
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/xn--bcher-kva.example');

    await user.click(await screen.findByRole('button', { name: 'Change backend' }));
    const dialog = screen.getByRole('dialog', { name: 'Backend of bücher.example' });
    expect(within(dialog).getByRole('radio', { name: 'PHP' })).toBeChecked();
    await waitFor(() => expect(within(dialog).getByLabelText('PHP version')).toHaveValue('8.2'));
    await user.click(within(dialog).getByRole('radio', { name: 'Proxy to an application' }));
    await user.selectOptions(within(dialog).getByLabelText('Application listens on'), 'port');
    await user.type(within(dialog).getByLabelText('Application port'), '8081');
    await user.click(within(dialog).getByRole('button', { name: 'Change backend' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/domains/xn--bcher-kva.example')[0]!.body).toEqual({
      backend: { type: 'proxy', port: 8081 },
    });
    await waitFor(() => expect(fact('Backend')).toHaveTextContent('Proxy to 127.0.0.1:8081'));
  });

  it('deletes after the name is typed, keeping the files when asked', async () => {
    const api = domainsServer([shop]);
    signInAs(ownerUser());
    const { user } = renderApp('/panel/domains/xn--bcher-kva.example');

    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete domain bücher.example?' });
    const confirm = within(dialog).getByRole('button', { name: 'Delete domain' });
    expect(confirm).toBeDisabled();
    const keep = within(dialog).getByRole('checkbox', { name: 'Keep the site’s files' });
    expect(keep).not.toBeChecked();
    await user.click(keep);
    await user.type(
      within(dialog).getByLabelText('Type xn--bcher-kva.example to confirm'),
      'xn--bcher-kva.example',
    );
    await user.click(confirm);

    expect(await screen.findByRole('heading', { level: 1, name: 'Domains' })).toBeInTheDocument();
    expect(currentPath()).toBe('/panel/domains');
    const [deleted] = api.to('DELETE', '/api/v1/domains/xn--bcher-kva.example');
    expect(deleted!.query.get('keep_files')).toBe('true');
    expect(
      await screen.findByText('Domain bücher.example deleted; its files were kept.'),
    ).toBeInTheDocument();
  });

  it('lets an administrator suspend (after confirming) and unsuspend', async () => {
    const api = domainsServer([makeDomain()]);
    signInAs(adminUser);
    const { user } = renderApp('/admin/domains/example.com');

    expect(await screen.findByRole('link', { name: 'alice' })).toHaveAttribute(
      'href',
      '/admin/accounts/alice',
    );
    await user.click(screen.getByRole('button', { name: 'Suspend' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Suspend domain example.com?' })).getByRole('button', {
        name: 'Suspend domain',
      }),
    );
    expect(await screen.findByText('This domain is suspended')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Unsuspend' }));
    await waitFor(() => expect(fact('Status')).toHaveTextContent('Active'));
    expect(api.to('POST', '/api/v1/domains/example.com/suspend')).toHaveLength(1);
    expect(api.to('POST', '/api/v1/domains/example.com/unsuspend')).toHaveLength(1);
  });
});
