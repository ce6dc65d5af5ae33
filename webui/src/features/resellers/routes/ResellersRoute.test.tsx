import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, makeReseller } from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { Reseller } from '../api/list-resellers';

/** A small in-memory resellers API. */
function resellersServer(initial: Reseller[]) {
  let resellers = initial;
  return mockApi({
    'GET /api/v1/resellers': () => json(200, { items: resellers, next_page_token: null }),
    'POST /api/v1/resellers': (req) => {
      const body = req.body as Reseller & { password: string };
      if (resellers.some((r) => r.name === body.name)) {
        return problem(409, { title: 'Conflict', detail: `The name '${body.name}' is taken.` });
      }
      const created = makeReseller({
        name: body.name,
        max_accounts: body.max_accounts,
        disk_quota_mb: body.disk_quota_mb,
        max_domains: body.max_domains,
        max_databases: body.max_databases,
        reserved: { max_accounts: 0, disk_quota_mb: 0, max_domains: 0, max_databases: 0 },
        plans: 0,
      });
      resellers = [...resellers, created];
      return json(201, created);
    },
    'PATCH /api/v1/resellers/ann': (req) => {
      const body = req.body as Partial<Reseller>;
      if (body.max_accounts !== undefined && body.max_accounts !== null && body.max_accounts < 2) {
        return problem(409, {
          title: 'Conflict',
          detail: "This would reserve more than the reseller's totals: 2 accounts (total 1, reserved 2).",
        });
      }
      resellers = resellers.map((r) => (r.name === 'ann' ? { ...r, ...body } : r));
      return json(
        200,
        resellers.find((r) => r.name === 'ann'),
      );
    },
    'POST /api/v1/resellers/ann/suspend': (req) => {
      const reason = (req.body as { reason?: string }).reason ?? null;
      const suspension = { user: 'admin', reason, at: '2026-12-05T03:00:00Z' };
      resellers = resellers.map((r) => (r.name === 'ann' ? { ...r, suspension } : r));
      return json(200, {
        reseller: resellers.find((r) => r.name === 'ann'),
        accounts: ['alice'],
        not_done: [{ name: 'alicia', detail: 'FAILED_PRECONDITION: quota tool missing' }],
      });
    },
    'POST /api/v1/resellers/ann/unsuspend': () => {
      resellers = resellers.map((r) => (r.name === 'ann' ? { ...r, suspension: null } : r));
      return json(200, {
        reseller: resellers.find((r) => r.name === 'ann'),
        accounts: ['alice', 'alicia'],
        not_done: [],
      });
    },
    'DELETE /api/v1/resellers/ann': () =>
      problem(409, { title: 'Conflict', detail: "Accounts are on plans of reseller 'ann'." }),
    'DELETE /api/v1/resellers/spare': () => {
      resellers = resellers.filter((r) => r.name !== 'spare');
      return noContent();
    },
  });
}

async function openResellers(initial: Reseller[] = [makeReseller()]) {
  const api = resellersServer(initial);
  signInAs(adminUser);
  const rendered = renderApp('/admin/resellers');
  const table = await screen.findByRole('table', { name: 'Resellers' });
  return { api, table, ...rendered };
}

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('resellers', () => {
  it('lists resellers with what their accounts reserve of each total', async () => {
    const { table } = await openResellers();
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(2);
    expect(cells(rows[1]!)).toEqual([
      'ann',
      '2 of 10',
      '2048 of 10240',
      '20 of unlimited',
      'unlimited',
      '1',
      'EditSuspendDelete',
    ]);
    expect(screen.getByRole('link', { name: 'Resellers' })).toHaveAttribute('aria-current', 'page');
  });

  it('creates a reseller: empty totals are unlimited', async () => {
    const { api, user } = await openResellers();
    await user.click(screen.getByRole('button', { name: 'Create reseller' }));
    const dialog = screen.getByRole('dialog', { name: 'Create reseller' });
    await user.type(within(dialog).getByLabelText('Reseller name'), 'bob');
    await user.type(within(dialog).getByLabelText('Password'), 'reseller-pass-1');
    await user.type(within(dialog).getByLabelText('Accounts'), 'x');
    await user.click(within(dialog).getByRole('button', { name: 'Create reseller' }));
    expect(within(dialog).getByLabelText('Accounts')).toHaveAccessibleDescription(/whole number/);
    expect(api.to('POST', '/api/v1/resellers')).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText('Accounts'));
    await user.type(within(dialog).getByLabelText('Accounts'), '25');
    await user.type(within(dialog).getByLabelText('Disk (MiB)'), '50000');
    await user.click(within(dialog).getByRole('button', { name: 'Create reseller' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/resellers')[0]!.body).toEqual({
      name: 'bob',
      password: 'reseller-pass-1',
      max_accounts: 25,
      disk_quota_mb: 50000,
      max_domains: null,
      max_databases: null,
    });
    expect(await screen.findByText('Reseller bob created.')).toBeInTheDocument();
    expect(await screen.findByRole('cell', { name: 'bob' })).toBeInTheDocument();
  });

  it('changes totals, sending only what changed, and shows a refusal below what is reserved', async () => {
    const { api, user } = await openResellers();
    await user.click(screen.getByRole('button', { name: 'Edit reseller ann' }));
    const dialog = screen.getByRole('dialog', { name: 'Reseller ann' });
    const accounts = within(dialog).getByLabelText('Accounts');
    expect(accounts).toHaveValue('10');
    await user.clear(accounts);
    await user.type(accounts, '1');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/reserved 2/)).toBeInTheDocument();
    expect(api.to('PATCH', '/api/v1/resellers/ann')[0]!.body).toEqual({ max_accounts: 1 });

    await user.clear(accounts);
    await user.type(accounts, '40');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('PATCH', '/api/v1/resellers/ann')[1]!.body).toEqual({ max_accounts: 40 });
  });

  it('says why a reseller with accounts cannot be deleted, and deletes one without', async () => {
    const spare = makeReseller({
      name: 'spare',
      reserved: { max_accounts: 0, disk_quota_mb: 0, max_domains: 0, max_databases: 0 },
    });
    const { user } = await openResellers([makeReseller(), spare]);
    await user.click(screen.getByRole('button', { name: 'Delete reseller ann' }));
    let dialog = screen.getByRole('dialog', { name: 'Delete reseller ann?' });
    expect(within(dialog).getByText(/2 accounts are on its plans/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Delete reseller' }));
    expect(await within(dialog).findByText(/Accounts are on plans/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await user.click(screen.getByRole('button', { name: 'Delete reseller spare' }));
    dialog = screen.getByRole('dialog', { name: 'Delete reseller spare?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete reseller' }));
    expect(await screen.findByText('Reseller spare deleted.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'spare' })).not.toBeInTheDocument());
  });

  it('suspends a reseller with a reason, names the accounts not done, and unsuspends it', async () => {
    const { api, user, table } = await openResellers();
    await user.click(screen.getByRole('button', { name: 'Suspend reseller ann' }));
    let dialog = screen.getByRole('dialog', { name: 'Suspend reseller ann?' });
    expect(within(dialog).getByText(/Neither the reseller nor the owners can lift/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText(/Reason/), 'unpaid invoice');
    await user.click(within(dialog).getByRole('button', { name: 'Suspend reseller' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.to('POST', '/api/v1/resellers/ann/suspend')[0]!.body).toEqual({ reason: 'unpaid invoice' });
    expect(await screen.findByText(/not these accounts: alicia \(FAILED_PRECONDITION/)).toBeInTheDocument();
    expect(await within(table).findByText('Suspended')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Unsuspend reseller ann' }));
    dialog = screen.getByRole('dialog', { name: 'Unsuspend reseller ann?' });
    expect(
      within(dialog).getByText(/Accounts you suspended on their own stay suspended/),
    ).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Unsuspend reseller' }));
    expect(await screen.findByText('Reseller ann unsuspended with 2 account(s).')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/resellers/ann/unsuspend')).toHaveLength(1);
    await waitFor(() => expect(within(table).queryByText('Suspended')).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Suspend reseller ann' })).toBeInTheDocument();
  });
});
