import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi, noContent } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { makeZone, sampleRecords } from '../test-utils';

const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;
const ZONE = '/api/v1/dns-zones/example.com';

function zoneApi(extra = {}) {
  return mockApi({
    [`GET ${ZONE}`]: () => json(200, makeZone({ records: sampleRecords.length })),
    [`GET ${ZONE}/records`]: () => json(200, { items: sampleRecords, next_page_token: null }),
    ...extra,
  });
}

const rowOf = (table: HTMLElement, text: RegExp) => within(table).getByRole('row', { name: text });

describe('DNS zone page', () => {
  it('shows each record’s type, name, TTL and value as its type reads', async () => {
    signInAs(ownerUser());
    const api = zoneApi();
    renderApp('/panel/dns/example.com');

    expect(await screen.findByRole('heading', { name: 'example.com', level: 1 })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Records of example.com' });
    expect(api.to('GET', `${ZONE}/records`)[0]!.query.get('limit')).toBe('200');

    const apexA = rowOf(table, /^A @ example\.com 192\.0\.2\.10 default/);
    expect(within(apexA).getByText('default')).toBeInTheDocument();
    expect(within(rowOf(table, /www\.example\.com/)).getByText('5 minutes')).toBeInTheDocument();
    const mx = rowOf(table, /^MX/);
    expect(mx).toHaveTextContent('mail.example.com');
    expect(mx).toHaveTextContent('Preference 10');
    expect(within(rowOf(table, /^TXT/)).getByText('v=spf1 a mx ~all')).toBeInTheDocument();
    expect(within(rowOf(table, /^TXT/)).getByText('1 hour')).toBeInTheDocument();
    expect(within(rowOf(table, /^AAAA/)).getByText('1 day')).toBeInTheDocument();
    expect(rowOf(table, /^SRV/)).toHaveTextContent('sip.example.com:5060');
    expect(rowOf(table, /^SRV/)).toHaveTextContent('Priority 10, weight 5');
    expect(rowOf(table, /^CAA/)).toHaveTextContent('issue “letsencrypt.org”');
    expect(rowOf(table, /^NS/)).toHaveTextContent('ns1.example.net');
    expect(rowOf(table, /^CNAME/)).toHaveTextContent('shops.example.net');
    // By name, then type: the apex first.
    const names = within(table)
      .getAllByRole('row')
      .slice(1, 5)
      .map((r) => within(r).getAllByRole('cell')[0]!.textContent);
    expect(names).toEqual(['A', 'MX', 'TXT', 'CAA']);
  });

  it('adds a TXT record from the zone page', async () => {
    signInAs(ownerUser());
    const api = zoneApi({
      [`POST ${ZONE}/records`]: (req: { body: unknown }) => json(201, { id: 'n1', ...(req.body as object) }),
    });
    const { user } = renderApp('/panel/dns/example.com');

    await user.click(await screen.findByRole('button', { name: 'Add record' }));
    const dialog = screen.getByRole('dialog', { name: 'Add record' });
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'TXT');
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), '_dmarc');
    await user.type(within(dialog).getByLabelText('Text'), 'v=DMARC1; p=none');
    await user.click(within(dialog).getByRole('button', { name: 'Add record' }));

    expect(await screen.findByText('TXT record for _dmarc.example.com added.')).toBeInTheDocument();
    expect(api.to('POST', `${ZONE}/records`)[0]!.body).toEqual({
      type: 'TXT',
      name: '_dmarc',
      ttl: 0,
      text: 'v=DMARC1; p=none',
    });
  });

  it('deletes a record after confirmation', async () => {
    signInAs(ownerUser());
    const api = zoneApi({ [`DELETE ${ZONE}/records/r4`]: () => noContent() });
    const { user } = renderApp('/panel/dns/example.com');

    await user.click(await screen.findByRole('button', { name: 'Delete TXT record example.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete TXT record for example.com?' });
    expect(dialog).toHaveTextContent('v=spf1 a mx ~all');
    await user.click(within(dialog).getByRole('button', { name: 'Delete record' }));

    expect(await screen.findByText('TXT record for example.com deleted.')).toBeInTheDocument();
    expect(api.to('DELETE', `${ZONE}/records/r4`)).toHaveLength(1);
  });

  it('deletes the zone after its name is typed, then returns to the list', async () => {
    signInAs(ownerUser());
    const api = zoneApi({
      [`DELETE ${ZONE}`]: () => noContent(),
      'GET /api/v1/dns-zones': () => json(200, { items: [], next_page_token: null }),
    });
    const { user } = renderApp('/panel/dns/example.com');

    await user.click(await screen.findByRole('button', { name: 'Delete zone' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete DNS zone example.com?' });
    expect(within(dialog).getByRole('button', { name: 'Delete zone' })).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type example.com to confirm'), 'example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Delete zone' }));

    expect(await screen.findByRole('heading', { name: 'DNS zones', level: 1 })).toBeInTheDocument();
    expect(currentPath()).toBe('/panel/dns');
    expect(api.to('DELETE', ZONE)).toHaveLength(1);
  });

  it('says when the zone does not exist', async () => {
    signInAs(ownerUser());
    mockApi({ [`GET ${ZONE}`]: () => json(404, { title: 'Not found' }) });
    renderApp('/panel/dns/example.com');

    expect(await screen.findByText('Zone not found')).toBeInTheDocument();
  });
});

describe('DNS zones list', () => {
  it('lists zones with their record counts, linking to each', async () => {
    signInAs(ownerUser());
    mockApi({
      'GET /api/v1/dns-zones': () =>
        json(200, {
          items: [makeZone({ records: 7 }), makeZone({ name: 'example.net', records: 1 })],
          next_page_token: null,
        }),
    });
    renderApp('/panel/dns');

    const table = await screen.findByRole('table', { name: 'DNS zones' });
    const row = rowOf(table, /example\.com/);
    expect(within(row).getByRole('link', { name: 'example.com' })).toHaveAttribute(
      'href',
      '/panel/dns/example.com',
    );
    expect(within(row).getAllByRole('cell')[2]).toHaveTextContent('7');
  });

  it('pages long lists by token, and gives administrators the account column and filter', async () => {
    signInAs(adminUser);
    const zones = Array.from({ length: 60 }, (_, i) =>
      makeZone({ name: `z${String(i).padStart(2, '0')}.example`, account: 'bob' }),
    );
    const api = mockApi({
      'GET /api/v1/dns-zones': (req) => {
        const start = Number(req.query.get('page_token') ?? 0);
        const limit = Number(req.query.get('limit'));
        const next = start + limit < zones.length ? String(start + limit) : null;
        return json(200, { items: zones.slice(start, start + limit), next_page_token: next });
      },
    });
    const { user } = renderApp('/admin/dns?account=bob');

    const table = await screen.findByRole('table', { name: 'DNS zones' });
    expect(within(table).getAllByRole('row')).toHaveLength(51);
    expect(within(table).getAllByRole('link', { name: 'bob' })[0]).toHaveAttribute(
      'href',
      '/admin/accounts/bob',
    );
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'z59.example' })).toHaveAttribute(
      'href',
      '/admin/dns/z59.example',
    );
    await waitFor(() =>
      expect(api.to('GET', '/api/v1/dns-zones').at(-1)!.query.get('page_token')).toBe('50'),
    );
    expect(api.requests.every((r) => r.query.get('account') === 'bob')).toBe(true);
  });
});
