import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

const settings = {
  enabled: true,
  network: '10.8.0.0/24',
  port: 1194,
  protocol: 'udp',
  public_address: 'vpn.example.net',
  dns_servers: ['10.8.0.1'],
  routes: ['192.168.10.0/24'],
};

describe('VPN server page', () => {
  it('shows the settings the agent keeps and whether OpenVPN runs', async () => {
    signInAs(adminUser);
    mockApi({ 'GET /api/v1/vpn-server': () => json(200, { configured: true, running: true, settings }) });
    renderApp('/admin/vpn-server');

    const form = await screen.findByRole('form', { name: 'VPN server settings' });
    expect(within(form).getByLabelText(/^Clients’ network/)).toHaveValue('10.8.0.0/24');
    expect(within(form).getByLabelText(/^Public address/)).toHaveValue('vpn.example.net');
    expect(within(form).getByLabelText(/^Routes/)).toHaveValue('192.168.10.0/24');
    expect(screen.getByText('Running')).toBeInTheDocument();
  });

  it('sets up a server that is not set up yet, one DNS server and route a line', async () => {
    signInAs(adminUser);
    const api = mockApi({
      'GET /api/v1/vpn-server': () => json(200, { configured: false, running: false, settings: null }),
      'PUT /api/v1/vpn-server': (request) =>
        json(200, { configured: true, running: true, settings: request.body }),
    });
    const { user } = renderApp('/admin/vpn-server');

    const form = await screen.findByRole('form', { name: 'VPN server settings' });
    expect(screen.getByText('Not set up')).toBeInTheDocument();
    await user.type(within(form).getByLabelText(/^Public address/), 'VPN.Example.net');
    await user.type(within(form).getByLabelText(/^DNS servers/), '10.8.0.1\n\n1.1.1.1');
    await user.type(within(form).getByLabelText(/^Routes/), '192.168.10.0/24');
    await user.click(within(form).getByRole('button', { name: 'Save and apply' }));

    expect(await screen.findByText('VPN server saved and running.')).toBeInTheDocument();
    expect(api.to('PUT', '/api/v1/vpn-server')[0]!.body).toEqual({
      enabled: true,
      network: '10.8.0.0/24',
      port: 1194,
      protocol: 'udp',
      public_address: 'vpn.example.net',
      dns_servers: ['10.8.0.1', '1.1.1.1'],
      routes: ['192.168.10.0/24'],
    });
  });

  it('refuses values that could not be right before asking the server', async () => {
    signInAs(adminUser);
    const api = mockApi({
      'GET /api/v1/vpn-server': () => json(200, { configured: true, running: true, settings }),
    });
    const { user } = renderApp('/admin/vpn-server');

    const form = await screen.findByRole('form', { name: 'VPN server settings' });
    const port = within(form).getByLabelText(/^Port/);
    await user.clear(port);
    await user.type(port, '70000');
    const address = within(form).getByLabelText(/^Public address/);
    await user.clear(address);
    await user.type(address, 'vpn.example.net\nup /bin/sh');
    await user.click(within(form).getByRole('button', { name: 'Save and apply' }));

    expect(await within(form).findByText('Enter a port from 1 to 65535.')).toBeInTheDocument();
    expect(within(form).getByText(/host name or IPv4 address clients connect to/)).toBeInTheDocument();
    expect(api.to('PUT', '/api/v1/vpn-server')).toHaveLength(0);
  });

  it('shows the field the server refuses', async () => {
    signInAs(adminUser);
    mockApi({
      'GET /api/v1/vpn-server': () => json(200, { configured: true, running: true, settings }),
      'PUT /api/v1/vpn-server': () =>
        problem(422, {
          title: 'Unprocessable',
          errors: [{ field: 'network', message: 'must be written as its network address' }],
        }),
    });
    const { user } = renderApp('/admin/vpn-server');

    const form = await screen.findByRole('form', { name: 'VPN server settings' });
    const network = within(form).getByLabelText(/^Clients’ network/);
    await user.clear(network);
    await user.type(network, '10.8.0.1/24');
    await user.click(within(form).getByRole('button', { name: 'Save and apply' }));
    expect(await within(form).findByText('must be written as its network address')).toBeInTheDocument();
  });
});
