import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Account } from '@/types/api';
import { adminUser, makeAccount, makeAccountSystem, makePlan, resellerUser } from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';

const currentPath = () => screen.getByRole('status', { name: 'Current location' }).textContent;

/** A tiny in-memory gateway for one account. */
function accountServer(initial: Account, shell = false) {
  let account = initial;
  let enabled = true;
  let billing = {
    account: 'alice',
    tax_rate: null as string | null,
    customer: [] as string[],
    vat_number: null as string | null,
    reverse_charge: false,
  };
  return mockApi({
    'GET /api/v1/accounts/alice/billing': () => json(200, billing),
    'PUT /api/v1/accounts/alice/billing': (req) => {
      const body = req.body as Omit<typeof billing, 'account'>;
      if (body.tax_rate === '99.00') {
        return problem(422, { errors: [{ field: 'tax_rate', message: 'No country taxes this much.' }] });
      }
      if (body.customer.length > 1) {
        return problem(422, { errors: [{ field: 'customer.1', message: 'Not an address line.' }] });
      }
      billing = { account: 'alice', ...body };
      return json(200, billing);
    },
    'GET /api/v1/ssh-access': (req) =>
      req.query.get('account') === 'alice'
        ? json(200, { account: 'alice', enabled, shell })
        : problem(404, { title: 'Not Found' }),
    'PUT /api/v1/ssh-access': (req) => {
      enabled = (req.body as { enabled: boolean }).enabled;
      return json(200, { account: 'alice', enabled, shell });
    },
    'GET /api/v1/accounts/alice': () => json(200, account),
    'GET /api/v1/accounts': () => json(200, { items: [account], next_page_token: null }),
    'POST /api/v1/accounts/alice/suspend': (req) => {
      const { reason = null } = req.body as { reason?: string };
      const suspension = { by: 'admin' as const, user: 'admin', reason, at: '2025-02-03T04:05:06Z' };
      return json(200, (account = { ...account, status: 'suspended', suspension }));
    },
    'POST /api/v1/accounts/alice/unsuspend': () =>
      json(200, (account = { ...account, status: 'active', suspension: null })),
    'GET /api/v1/plans': () =>
      json(200, {
        items: [
          makePlan(),
          makePlan({ name: 'basic', max_domains: 3 }),
          makePlan({ name: 'tiny', max_domains: 0 }),
          makePlan({ name: 'small', disk_quota_mb: 500 }),
        ],
        next_page_token: null,
      }),
    'PATCH /api/v1/accounts/alice': (req) => {
      const body = req.body as Partial<Account> & { password?: string };
      if (body.password === 'password1234') {
        return problem(400, { errors: [{ field: 'password', message: 'This password is too common.' }] });
      }
      if (body.plan === 'small') {
        return problem(409, {
          title: 'Conflict',
          detail: "Plan 'small' is too small: alice uses 620 MB of disk (limit 500).",
        });
      }
      if (body.plan === 'tiny') {
        return problem(409, {
          title: 'Conflict',
          detail: "Plan 'tiny' is too small: alice uses 2 domains (limit 0).",
        });
      }
      const { password: _ignored, ...changes } = body;
      account = { ...account, ...changes };
      return json(200, account);
    },
    'DELETE /api/v1/accounts/alice': () => noContent(),
  });
}

const aliceWithSystem = makeAccount({
  system: makeAccountSystem({ uid: 1005, gid: 1005 }),
});

describe('one account', () => {
  it('shows the account and what the server reports', async () => {
    accountServer(aliceWithSystem);
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    expect(await screen.findByRole('heading', { level: 1, name: 'alice' })).toBeInTheDocument();
    expect(screen.getByText('Home').nextElementSibling).toHaveTextContent('/home/alice');
    expect(screen.getByText('UID').nextElementSibling).toHaveTextContent('1005');
  });

  it('shows what the account’s files take of its disk quota, with a meter', async () => {
    const MiB = 1024 ** 2;
    accountServer(
      makeAccount({
        system: makeAccountSystem({
          disk: {
            enforced: true,
            used_bytes: 7.34 * MiB,
            limit_bytes: 500 * MiB,
            used_inodes: null,
            inode_limit: null,
          },
        }),
      }),
    );
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const disk = (await screen.findByText('Disk')).nextElementSibling as HTMLElement;
    expect(disk).toHaveTextContent('7.3 MB of 500 MB');
    // The bar repeats the words for the eye, so it is hidden from the accessibility tree.
    expect(within(disk).getByRole('meter', { hidden: true })).toHaveValue(7.34 * MiB);
  });

  it('shows the files the account owns beside its disk, against its inode quota', async () => {
    accountServer(
      makeAccount({
        system: makeAccountSystem({
          disk: {
            enforced: true,
            used_bytes: 7 * 1024 ** 2,
            limit_bytes: 500 * 1024 ** 2,
            used_inodes: 1234,
            inode_limit: 5000,
          },
        }),
      }),
    );
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const files = (await screen.findByText('Files')).nextElementSibling as HTMLElement;
    expect(files).toHaveTextContent('1,234 of 5,000 files');
    expect(within(files).getByRole('meter', { hidden: true })).toHaveValue(1234);
  });

  it('shows the disk use alone when the quota sets no limit', async () => {
    accountServer(
      makeAccount({
        system: makeAccountSystem({
          disk: {
            enforced: true,
            used_bytes: 12.3 * 1024 ** 2,
            limit_bytes: null,
            used_inodes: null,
            inode_limit: null,
          },
        }),
      }),
    );
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const disk = (await screen.findByText('Disk')).nextElementSibling as HTMLElement;
    expect(disk).toHaveTextContent('12 MB used, no limit');
    expect(within(disk).queryByRole('meter', { hidden: true })).not.toBeInTheDocument();
  });

  it('says the disk is not measured where the server does not enforce quotas', async () => {
    accountServer(
      makeAccount({
        system: makeAccountSystem({
          disk: {
            enforced: false,
            used_bytes: null,
            limit_bytes: null,
            used_inodes: null,
            inode_limit: null,
          },
        }),
      }),
    );
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const disk = (await screen.findByText('Disk')).nextElementSibling as HTMLElement;
    expect(disk).toHaveTextContent('Not measured: this server does not enforce disk quotas');
    const files = screen.getByText('Files').nextElementSibling as HTMLElement;
    expect(files).toHaveTextContent('Not counted: this server does not enforce disk quotas');
  });

  it('says so when the account does not exist', async () => {
    mockApi({ 'GET /api/v1/accounts/ghost': () => problem(404, { title: 'Not found' }) });
    signInAs(adminUser);
    renderApp('/admin/accounts/ghost');

    expect(await screen.findByText('Account not found')).toBeInTheDocument();
  });

  it('suspends after confirmation, then unsuspends', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Suspend' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend account alice?' });
    expect(api.to('POST', '/api/v1/accounts/alice/suspend')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Suspend account' }));

    const unsuspend = await screen.findByRole('button', { name: 'Unsuspend' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText('Status').nextElementSibling).toHaveTextContent('Suspended');

    await user.click(unsuspend);
    expect(await screen.findByRole('button', { name: 'Suspend' })).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/accounts/alice/unsuspend')).toHaveLength(1);
  });

  it('records why it suspends, and shows who suspended it and why', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Suspend' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend account alice?' });
    await user.type(within(dialog).getByLabelText(/Reason/), '  Unpaid invoice 42 ');
    await user.click(within(dialog).getByRole('button', { name: 'Suspend account' }));

    expect(await screen.findByText('This account is suspended')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/accounts/alice/suspend').map((r) => r.body)).toEqual([
      { reason: 'Unpaid invoice 42' },
    ]);
    expect(screen.getByText('Suspension', { selector: 'dt' }).nextElementSibling).toHaveTextContent(
      'Suspended by an administrator (admin): Unpaid invoice 42',
    );
  });

  it('sends no reason when none is given', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Suspend' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend account alice?' });
    await user.click(within(dialog).getByRole('button', { name: 'Suspend account' }));
    await screen.findByRole('button', { name: 'Unsuspend' });
    expect(api.to('POST', '/api/v1/accounts/alice/suspend').map((r) => r.body)).toEqual([{}]);
  });

  it('changes the shell', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Change shell' }));
    const dialog = screen.getByRole('dialog', { name: 'Change shell for alice' });
    await user.selectOptions(within(dialog).getByLabelText('Login shell'), 'bash');
    await user.click(within(dialog).getByRole('button', { name: 'Change shell' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/accounts/alice')[0]!.body).toEqual({ shell: 'bash' });
    await waitFor(() => expect(screen.getByText('Shell').nextElementSibling).toHaveTextContent('bash'));
  });

  it('checks that the passwords match before sending', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Set password' }));
    const dialog = screen.getByRole('dialog', { name: 'Set password for alice' });
    await user.type(within(dialog).getByLabelText('New password'), 'a-new-long-password');
    await user.type(within(dialog).getByLabelText('Repeat new password'), 'a-new-long-passwort');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));

    expect(within(dialog).getByLabelText('Repeat new password')).toHaveAccessibleDescription(
      'The passwords do not match.',
    );
    expect(api.to('PATCH', '/api/v1/accounts/alice')).toHaveLength(0);
  });

  it('sets a password and shows the server’s field error beside it', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Set password' }));
    const dialog = screen.getByRole('dialog', { name: 'Set password for alice' });
    const newPassword = within(dialog).getByLabelText('New password');
    await user.type(newPassword, 'password1234');
    await user.type(within(dialog).getByLabelText('Repeat new password'), 'password1234');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));
    await waitFor(() => expect(newPassword).toHaveAccessibleDescription(/This password is too common\./));
    expect(api.to('PATCH', '/api/v1/accounts/alice')).toHaveLength(1);

    await user.clear(newPassword);
    await user.type(newPassword, 'a-new-long-password');
    await user.clear(within(dialog).getByLabelText('Repeat new password'));
    await user.type(within(dialog).getByLabelText('Repeat new password'), 'a-new-long-password');
    await user.click(within(dialog).getByRole('button', { name: 'Set password' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/accounts/alice')[1]!.body).toEqual({ password: 'a-new-long-password' });
  });

  it('deletes after typing the name, then returns to the list', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete account alice?' });
    await user.type(within(dialog).getByLabelText('Type alice to confirm'), 'alice');
    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Accounts' })).toBeInTheDocument();
    expect(currentPath()).toBe('/admin/accounts');
    expect(api.to('DELETE', '/api/v1/accounts/alice')).toHaveLength(1);
  });

  it('moves the account to another plan, and shows why a plan is refused', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    expect(await screen.findByText('Plan')).toBeInTheDocument();
    expect(screen.getByText('Plan').nextElementSibling).toHaveTextContent('default');
    await user.click(screen.getByRole('button', { name: 'Change plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Change plan for alice' });
    const select = within(dialog).getByLabelText('New plan');
    await waitFor(() => expect(select).toBeEnabled());

    await user.selectOptions(select, 'tiny');
    await user.click(within(dialog).getByRole('button', { name: 'Change plan' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      "Plan 'tiny' is too small: alice uses 2 domains (limit 0).",
    );

    await user.selectOptions(select, 'basic');
    await user.click(within(dialog).getByRole('button', { name: 'Change plan' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/accounts/alice').map((r) => r.body)).toEqual([
      { plan: 'tiny' },
      { plan: 'basic' },
    ]);
    await waitFor(() => expect(screen.getByText('Plan').nextElementSibling).toHaveTextContent('basic'));
    expect(screen.getByRole('link', { name: 'Domains of alice' })).toHaveAttribute(
      'href',
      '/admin/domains?account=alice',
    );
  });

  it('shows why a plan with a smaller disk quota is refused', async () => {
    accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    await user.click(await screen.findByRole('button', { name: 'Change plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Change plan for alice' });
    const select = within(dialog).getByLabelText('New plan');
    await waitFor(() => expect(select).toBeEnabled());
    await user.selectOptions(select, 'small');
    await user.click(within(dialog).getByRole('button', { name: 'Change plan' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      "Plan 'small' is too small: alice uses 620 MB of disk (limit 500).",
    );
    expect(screen.getByText('Plan').nextElementSibling).toHaveTextContent('default');
  });

  it('switches SFTP and SSH sign-in off and on again', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const card = await screen.findByRole('region', { name: 'SFTP and SSH' });
    expect(await within(card).findByText('Allowed (password and keys)')).toBeInTheDocument();
    expect(within(card).getByText('SFTP only, inside its home')).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Switch off SFTP and SSH' }));
    expect(await within(card).findByText('Switched off')).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Switch on SFTP and SSH' }));
    expect(await within(card).findByText('Allowed (password and keys)')).toBeInTheDocument();
    expect(api.to('PUT', '/api/v1/ssh-access').map((r) => r.body)).toEqual([
      { account: 'alice', enabled: false },
      { account: 'alice', enabled: true },
    ]);
    expect(api.to('GET', '/api/v1/ssh-access')[0]!.query.get('account')).toBe('alice');
  });

  it('says when a session gets a shell over SSH', async () => {
    accountServer(makeAccount({ shell: 'bash', plan: 'devs' }), true);
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    expect(await screen.findByText('A shell over SSH (bash), as plan devs allows')).toBeInTheDocument();
  });

  it('sets the account’s own tax rate, then goes back to the panel’s (null)', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const card = await screen.findByRole('region', { name: 'Billing' });
    expect(await within(card).findByText(/The panel’s rate/)).toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: 'Change billing' }));
    let dialog = screen.getByRole('dialog', { name: 'Billing of alice' });
    expect(dialog).toHaveAccessibleDescription(/invoices made from now on/);
    const panelRate = within(dialog).getByRole('checkbox', { name: 'Use the panel’s tax rate' });
    expect(panelRate).toBeChecked();
    await user.click(panelRate);
    await user.type(within(dialog).getByLabelText('Tax rate (%)'), '0.00');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));

    // The exact string the API answers, not a number formatted again.
    expect(await within(card).findByText('0.00%')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await user.click(within(card).getByRole('button', { name: 'Change billing' }));
    dialog = screen.getByRole('dialog', { name: 'Billing of alice' });
    expect(within(dialog).getByLabelText('Tax rate (%)')).toHaveValue('0.00');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Use the panel’s tax rate' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));

    expect(await within(card).findByText(/The panel’s rate/)).toBeInTheDocument();
    const rest = { customer: [], vat_number: null, reverse_charge: false };
    expect(api.to('PUT', '/api/v1/accounts/alice/billing').map((r) => r.body)).toEqual([
      { tax_rate: '0.00', ...rest },
      { tax_rate: null, ...rest },
    ]);
  });

  it('refuses a tax rate without its two decimals, and shows the server’s field error', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const card = await screen.findByRole('region', { name: 'Billing' });
    await user.click(await within(card).findByRole('button', { name: 'Change billing' }));
    const dialog = screen.getByRole('dialog', { name: 'Billing of alice' });
    await user.click(within(dialog).getByRole('checkbox', { name: 'Use the panel’s tax rate' }));
    const rate = within(dialog).getByLabelText('Tax rate (%)');

    for (const refused of ['', '7.5', '19', '101.00']) {
      await user.clear(rate);
      if (refused) await user.type(rate, refused);
      await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
      expect(rate).toBeInvalid();
    }
    expect(rate).toHaveAccessibleDescription(/A percent from 0\.00 to 100\.00, written with two decimals/);
    expect(api.to('PUT', '/api/v1/accounts/alice/billing')).toHaveLength(0);

    await user.clear(rate);
    await user.type(rate, '99.00');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
    await waitFor(() => expect(rate).toHaveAccessibleDescription(/No country taxes this much\./));
    expect(api.to('PUT', '/api/v1/accounts/alice/billing')).toHaveLength(1);
  });

  it('bills a business abroad under the reverse charge, with its address and VAT number', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const card = await screen.findByRole('region', { name: 'Billing' });
    await user.click(await within(card).findByRole('button', { name: 'Change billing' }));
    const dialog = screen.getByRole('dialog', { name: 'Billing of alice' });
    await user.click(within(dialog).getByRole('checkbox', { name: 'Reverse charge' }));
    // No rate to give under the reverse charge.
    expect(
      within(dialog).queryByRole('checkbox', { name: 'Use the panel’s tax rate' }),
    ).not.toBeInTheDocument();
    const vat = within(dialog).getByLabelText(/^VAT number/);
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
    expect(vat).toHaveAccessibleDescription(/A reverse charge needs the customer’s VAT number\./);
    for (const refused of ['de 123456789', 'D1', 'DE12345678901234']) {
      await user.clear(vat);
      await user.type(vat, refused);
      await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
      expect(vat).toBeInvalid();
    }
    const customer = within(dialog).getByLabelText(/^Customer/);
    await user.type(customer, 'Example GmbH{Enter}Hauptstrasse 1');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
    expect(api.to('PUT', '/api/v1/accounts/alice/billing')).toHaveLength(0);
    await user.clear(vat);
    await user.type(vat, 'de123456789');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));
    // The server refuses the second line: shown under the one text box, with its number.
    await waitFor(() => expect(customer).toHaveAccessibleDescription(/Line 2: Not an address line\./));
    await user.clear(customer);
    await user.type(customer, 'Example GmbH');
    await user.click(within(dialog).getByRole('button', { name: 'Save billing' }));

    expect(await within(card).findByText(/None: reverse charge/)).toBeInTheDocument();
    expect(within(card).getByText('Example GmbH')).toBeInTheDocument();
    expect(within(card).getByText('DE123456789')).toBeInTheDocument();
    expect(api.to('PUT', '/api/v1/accounts/alice/billing').map((r) => r.body)).toEqual([
      {
        tax_rate: null,
        customer: ['Example GmbH', 'Hauptstrasse 1'],
        vat_number: 'DE123456789',
        reverse_charge: true,
      },
      { tax_rate: null, customer: ['Example GmbH'], vat_number: 'DE123456789', reverse_charge: true },
    ]);
  });

  it('shows a reseller no billing nor charges, and never asks for them', async () => {
    const api = accountServer(aliceWithSystem);
    signInAs(resellerUser);
    renderApp('/admin/accounts/alice');

    expect(await screen.findByRole('heading', { level: 1, name: 'alice' })).toBeInTheDocument();
    await screen.findByRole('region', { name: 'SFTP and SSH' });
    expect(screen.queryByRole('region', { name: 'Billing' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Change billing' })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.path.includes('billing'))).toEqual([]);
    // Nor the one-off charges that go on the account's invoices (administrators add them).
    // The cards load lazily: once every one has arrived, it would show if it were let.
    await act(() => vi.dynamicImportSettled());
    await screen.findByRole('region', { name: 'PHP workers' });
    expect(screen.queryByRole('region', { name: 'One-off charges' })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.path.startsWith('/api/v1/charges'))).toEqual([]);
  });
});
