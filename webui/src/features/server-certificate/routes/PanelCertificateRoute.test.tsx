import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, authResponse, makeAccount, resellerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { CertificateAuthority, PanelCertificate } from '../types';
import { LETS_ENCRYPT, LETS_ENCRYPT_STAGING } from '../components/acme-directories';

const CERT = '/api/v1/server/certificate';
const SETTINGS = '/api/v1/certificate-settings';
const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;

const selfSigned: PanelCertificate = {
  host_name: 'panel.example.net',
  served: {
    names: ['panel.example.net'],
    issuer: 'CN=panel.example.net',
    not_before: '2026-12-01T00:00:00Z',
    not_after: '2036-12-01T00:00:00Z',
    fingerprint_sha256: 'ab'.repeat(32),
    self_signed: true,
  },
  status: 'none',
  last_attempt_at: null,
  last_error: '',
  next_attempt_at: null,
};

const issued: PanelCertificate = {
  ...selfSigned,
  served: {
    ...selfSigned.served!,
    issuer: "CN=R11,O=Let's Encrypt,C=US",
    not_after: '2027-03-05T02:00:00Z',
    self_signed: false,
  },
  status: 'valid',
  last_attempt_at: '2026-12-05T02:00:00Z',
  next_attempt_at: '2027-02-03T02:00:00Z',
};

/** The panel's certificate and the CA settings; PUT refuses what the document forbids. */
function certificateServer(options: { issue?: () => Response } = {}) {
  let settings: CertificateAuthority = { directory_url: LETS_ENCRYPT, email: '' };
  let current = selfSigned;
  return mockApi({
    [`GET ${CERT}`]: () => json(200, current),
    // 202 with the order's job; here the worker is done before the page reads it again.
    [`POST ${CERT}`]:
      options.issue ??
      (() => {
        current = issued;
        return json(202, { id: 'a'.repeat(32), kind: 'panel_certificate', state: 'queued', stage: 'queued' });
      }),
    [`GET ${SETTINGS}`]: () => json(200, settings),
    [`PUT ${SETTINGS}`]: (req) => {
      const body = req.body as CertificateAuthority;
      if (body.directory_url.includes('internal.example')) {
        return problem(400, {
          errors: [{ field: 'directory_url', message: "String should match pattern '^https://…'" }],
        });
      }
      settings = body;
      return json(200, settings);
    },
  });
}

describe('panel certificate', () => {
  it('shows the installer’s self-signed certificate and orders one from the ACME directory', async () => {
    const api = certificateServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/panel-certificate');

    const card = await screen.findByRole('region', { name: 'Panel certificate' });
    expect(within(card).getByText('Never ordered')).toBeInTheDocument();
    expect(within(card).getByText(/self-signed, from the installer/)).toBeInTheDocument();
    expect(within(card).getByText('panel.example.net', { selector: 'strong' })).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Order certificate' }));

    expect(await within(card).findByText('Valid')).toBeInTheDocument();
    expect(within(card).getByText("CN=R11,O=Let's Encrypt,C=US")).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Renew now' })).toBeEnabled();
    expect(api.to('POST', CERT).map((r) => r.body)).toEqual([{}]);
  });

  it('says why an order was refused, and the certificate served before stays', async () => {
    certificateServer({
      issue: () =>
        problem(409, {
          title: 'Conflict',
          detail: 'The CA refused the order: too many certificates this week.',
        }),
    });
    signInAs(adminUser);
    const { user } = renderApp('/admin/panel-certificate');

    const card = await screen.findByRole('region', { name: 'Panel certificate' });
    await user.click(within(card).getByRole('button', { name: 'Order certificate' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('too many certificates this week');
    expect(within(card).getByText(/self-signed, from the installer/)).toBeInTheDocument();
  });

  it('switches the certificate authority to Let’s Encrypt staging with a contact', async () => {
    const api = certificateServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/panel-certificate');

    const form = await screen.findByRole('form', { name: 'Certificate authority' });
    expect(within(form).getByLabelText('ACME directory')).toHaveValue('production');
    expect(within(form).queryByLabelText('Directory URL')).not.toBeInTheDocument();
    await user.selectOptions(within(form).getByLabelText('ACME directory'), 'staging');
    await user.type(within(form).getByLabelText(/^Contact e-mail/), 'hostmaster@example.net');
    await user.click(within(form).getByRole('button', { name: 'Save certificate authority' }));

    expect(await screen.findByText('Certificate authority saved.')).toBeInTheDocument();
    expect(api.to('PUT', SETTINGS).map((r) => r.body)).toEqual([
      { directory_url: LETS_ENCRYPT_STAGING, email: 'hostmaster@example.net' },
    ]);
  });

  it('refuses a plain-http directory and a bad e-mail before sending, and shows the server’s refusal', async () => {
    const api = certificateServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/panel-certificate');

    const form = await screen.findByRole('form', { name: 'Certificate authority' });
    await user.selectOptions(within(form).getByLabelText('ACME directory'), 'custom');
    const url = within(form).getByLabelText('Directory URL');
    const email = within(form).getByLabelText(/^Contact e-mail/);
    await user.type(url, 'http://ca.example.net/directory');
    await user.type(email, 'not an address');
    await user.click(within(form).getByRole('button', { name: 'Save certificate authority' }));

    expect(url).toHaveAccessibleDescription(/Enter an https:\/\/ URL/);
    expect(url).toBeInvalid();
    expect(email).toHaveAccessibleDescription(/Enter a valid email address\./);
    await user.clear(url);
    await user.type(url, 'https://user:secret@ca.example.net/directory');
    await user.clear(email);
    await user.click(within(form).getByRole('button', { name: 'Save certificate authority' }));
    expect(url).toHaveAccessibleDescription(/with no spaces or user name/);
    expect(api.to('PUT', SETTINGS)).toEqual([]);

    await user.clear(url);
    await user.type(url, 'https://ca.internal.example/directory');
    await user.click(within(form).getByRole('button', { name: 'Save certificate authority' }));
    await waitFor(() => expect(url).toHaveAccessibleDescription(/String should match pattern/));
    expect(url).toBeInvalid();
    expect(api.to('PUT', SETTINGS).map((r) => r.body)).toEqual([
      { directory_url: 'https://ca.internal.example/directory', email: '' },
    ]);
  });

  it('is not shown to resellers: no nav entry, and the address sends them home', async () => {
    const api = mockApi({
      'POST /api/v1/auth/refresh': () => json(200, authResponse(resellerUser)),
      'GET /api/v1/me': () => json(200, resellerUser),
      'GET /api/v1/accounts': () => json(200, { items: [makeAccount()], next_page_token: null }),
    });
    renderApp('/admin/panel-certificate');

    expect(await screen.findByRole('heading', { name: 'Accounts' })).toBeInTheDocument();
    expect(currentPath()).toBe('/admin/accounts');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Panel certificate' })).not.toBeInTheDocument();
    expect(api.to('GET', CERT)).toEqual([]);
    expect(api.to('GET', SETTINGS)).toEqual([]);
  });
});
