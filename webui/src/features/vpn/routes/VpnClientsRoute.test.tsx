import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import { makeVpnClient } from '../test-utils';

const laptop = makeVpnClient({
  state: 'connected',
  tunnel_address: '10.8.0.2',
  bytes_received: 2048,
  bytes_sent: 4096,
});
const phone = makeVpnClient({ id: 'ffee', name: 'phone' });
const list = (items = [laptop, phone]) => ({
  'GET /api/v1/vpn-clients': () => json(200, { items, next_page_token: null }),
});

describe('VPN page', () => {
  it('lists clients with their state and tunnel address', async () => {
    signInAs(ownerUser());
    mockApi(list());
    renderApp('/panel/vpn');

    const table = await screen.findByRole('table', { name: 'VPN clients' });
    const first = within(table).getByRole('row', { name: /laptop/ });
    expect(within(first).getByText('Connected')).toBeInTheDocument();
    expect(within(first).getByText('10.8.0.2')).toBeInTheDocument();
    const second = within(table).getByRole('row', { name: /phone/ });
    expect(within(second).getByText('Not connected')).toBeInTheDocument();
  });

  it('adds a client and offers its profile for download, once', async () => {
    signInAs(ownerUser());
    const created = {
      ...makeVpnClient({ id: 'abcd', name: 'tablet' }),
      profile: 'client\n<key>\nsecret\n</key>\n',
    };
    const api = mockApi({ ...list(), 'POST /api/v1/vpn-clients': () => json(201, created) });
    const { user } = renderApp('/panel/vpn');

    await user.click(await screen.findByRole('button', { name: 'Add VPN client' }));
    const dialog = screen.getByRole('dialog', { name: 'Add VPN client' });
    await user.type(within(dialog).getByLabelText(/^Name/), 'Tablet');
    await user.click(within(dialog).getByRole('button', { name: 'Add VPN client' }));

    const download = await within(dialog).findByRole('link', { name: 'Download tablet.ovpn' });
    expect(download).toHaveAttribute('download', 'tablet.ovpn');
    expect(decodeURIComponent(download.getAttribute('href') ?? '')).toContain('<key>\nsecret');
    expect(within(dialog).getByText('Download the profile now')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/vpn-clients')[0]!.body).toEqual({ name: 'tablet' });
  });

  it('refuses a bad name before asking the server', async () => {
    signInAs(ownerUser());
    const api = mockApi(list());
    const { user } = renderApp('/panel/vpn');

    await user.click(await screen.findByRole('button', { name: 'Add VPN client' }));
    const dialog = screen.getByRole('dialog', { name: 'Add VPN client' });
    await user.type(within(dialog).getByLabelText(/^Name/), 'my laptop');
    await user.click(within(dialog).getByRole('button', { name: 'Add VPN client' }));
    expect(await within(dialog).findByText(/lowercase letters, digits and hyphens/)).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/vpn-clients')).toHaveLength(0);
  });

  it('shows the plan limit the server answers', async () => {
    signInAs(ownerUser());
    mockApi({
      ...list([]),
      'POST /api/v1/vpn-clients': () =>
        problem(403, { title: 'Plan limit reached', detail: "The plan 'default' allows 0 VPN clients." }),
    });
    const { user } = renderApp('/panel/vpn');

    await user.click(await screen.findByRole('button', { name: 'Add VPN client' }));
    const dialog = screen.getByRole('dialog', { name: 'Add VPN client' });
    await user.type(within(dialog).getByLabelText(/^Name/), 'laptop');
    await user.click(within(dialog).getByRole('button', { name: 'Add VPN client' }));
    expect(await within(dialog).findByText(/allows 0 VPN clients/)).toBeInTheDocument();
  });

  it('revokes a client after confirmation', async () => {
    signInAs(adminUser);
    const api = mockApi({ ...list(), [`DELETE /api/v1/vpn-clients/${laptop.id}`]: () => noContent() });
    const { user } = renderApp('/admin/vpn');

    await user.click(await screen.findByRole('button', { name: 'Revoke VPN client laptop' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke laptop?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke VPN client' }));
    expect(await screen.findByText('VPN client laptop revoked.')).toBeInTheDocument();
    expect(api.to('DELETE', `/api/v1/vpn-clients/${laptop.id}`)).toHaveLength(1);
  });

  it('renews a client and offers the new profile once; a refusal says when', async () => {
    signInAs(ownerUser());
    const renewed = {
      ...laptop,
      expires_at: '2031-06-13T00:00:00Z',
      profile: 'client\n<key>\nnew\n</key>\n',
    };
    const api = mockApi({
      ...list(),
      [`POST /api/v1/vpn-clients/${laptop.id}/renew`]: () => json(200, renewed),
      [`POST /api/v1/vpn-clients/${phone.id}/renew`]: () =>
        problem(409, { title: 'Conflict', detail: "the VPN client 'phone' can be renewed from 2029-02-08" }),
    });
    const { user } = renderApp('/panel/vpn');

    await user.click(await screen.findByRole('button', { name: 'Renew VPN client laptop' }));
    let dialog = screen.getByRole('dialog', { name: 'Renew laptop' });
    await user.click(within(dialog).getByRole('button', { name: 'Renew VPN client' }));
    const download = await within(dialog).findByRole('link', { name: 'Download laptop.ovpn' });
    expect(decodeURIComponent(download.getAttribute('href') ?? '')).toContain('<key>\nnew');
    expect(api.to('POST', `/api/v1/vpn-clients/${laptop.id}/renew`)).toHaveLength(1);
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));

    await user.click(screen.getByRole('button', { name: 'Renew VPN client phone' }));
    dialog = screen.getByRole('dialog', { name: 'Renew phone' });
    await user.click(within(dialog).getByRole('button', { name: 'Renew VPN client' }));
    expect(await within(dialog).findByText(/can be renewed from 2029-02-08/)).toBeInTheDocument();
    expect(within(dialog).queryByRole('link')).not.toBeInTheDocument();
  });
});
