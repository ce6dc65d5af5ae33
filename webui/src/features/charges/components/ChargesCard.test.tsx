import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import {
  adminUser,
  makeAccount,
  makeAccountSystem,
  makePlan,
  ownerUser,
  resellerUser,
} from '@/testing/fixtures';
import { json, mockApi, noContent, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { Charge, ChargeCreate } from '../types';

const CHARGES = '/api/v1/charges';

const setUpFee: Charge = {
  id: '0a1b2c3d4e5f6071',
  account: 'alice',
  description: 'Set-up fee',
  amount: '25.00',
  created_at: '2025-02-03T10:00:00Z',
  invoice: null,
};
const transfer: Charge = {
  id: '8f9e0d1c2b3a4958',
  account: 'alice',
  description: 'Domain transfer',
  amount: '12.50',
  created_at: '2025-01-07T09:00:00Z',
  invoice: 'inv-2025-0001',
};

/** Alice's account and her charges; the gateway bills one charge at most 10000.00. */
function chargesServer(initial: Charge[] = [setUpFee, transfer]) {
  let charges = initial;
  return mockApi({
    'GET /api/v1/me': () => json(200, ownerUser(makeAccount(), makePlan())),
    'GET /api/v1/accounts/alice': () => json(200, makeAccount({ system: makeAccountSystem() })),
    [`GET ${CHARGES}`]: () => json(200, { items: charges, next_page_token: null }),
    [`POST ${CHARGES}`]: (req) => {
      const body = req.body as ChargeCreate;
      if (body.amount === '20000.00') {
        return problem(422, {
          title: 'Unprocessable request',
          errors: [{ field: 'amount', message: 'must be at most 10000.00 for one charge' }],
        });
      }
      const added = { ...body, id: 'c0ffee0000000001', created_at: '2025-02-04T08:00:00Z', invoice: null };
      charges = [...charges, added];
      return json(201, added);
    },
    [`DELETE ${CHARGES}/${setUpFee.id}`]: () => {
      charges = charges.filter((c) => c.id !== setUpFee.id);
      return noContent();
    },
    [`DELETE ${CHARGES}/${transfer.id}`]: () =>
      problem(409, {
        title: 'Conflict',
        detail: 'This charge is on an invoice already; void the invoice to cancel it.',
      }),
  });
}

const card = () => screen.findByRole('region', { name: 'One-off charges' });
const rowOf = (region: HTMLElement, description: string) =>
  within(region).getByRole('row', { name: new RegExp(description) });

async function openAddDialog(user: ReturnType<typeof renderApp>['user']) {
  const region = await card();
  await within(region).findByRole('row', { name: /Set-up fee/ });
  await user.click(within(region).getByRole('button', { name: 'Add charge' }));
  return screen.getByRole('dialog', { name: 'Add a charge to alice' });
}

describe('an account’s one-off charges', () => {
  it('lists pending and billed charges with their amounts as sent and their states', async () => {
    const api = chargesServer();
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const region = await card();
    const pending = await within(region).findByRole('row', { name: /Set-up fee/ });
    expect(pending).toHaveTextContent('25.00');
    expect(pending).toHaveTextContent('Next invoice');
    const billed = rowOf(region, 'Domain transfer');
    expect(billed).toHaveTextContent('12.50');
    expect(billed).toHaveTextContent('Billed');
    expect(billed).not.toHaveTextContent('Next invoice');
    const query = api.to('GET', CHARGES)[0]!.query;
    expect([query.get('account'), query.get('limit')]).toEqual(['alice', '50']);
  });

  it('says when no charges are waiting', async () => {
    chargesServer([]);
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const region = await card();
    expect(await within(region).findByText('No charges waiting')).toBeInTheDocument();
    expect(within(region).queryByRole('row')).not.toBeInTheDocument();
  });

  it('adds a charge with the amount exactly as typed', async () => {
    const api = chargesServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const dialog = await openAddDialog(user);
    await user.type(within(dialog).getByLabelText(/^Description/), 'Hour of work');
    // Ten digits before the point: a number would come back as 1234567890.1.
    await user.type(within(dialog).getByLabelText(/^Amount/), '1234567890.10');
    await user.click(within(dialog).getByRole('button', { name: 'Add charge' }));

    expect(await screen.findByText('Charge added to alice’s next invoice.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.to('POST', CHARGES).map((r) => r.body)).toEqual([
      { account: 'alice', description: 'Hour of work', amount: '1234567890.10' },
    ]);
    const added = await within(await card()).findByRole('row', { name: /Hour of work/ });
    expect(added).toHaveTextContent('1234567890.10');
    expect(added).toHaveTextContent('Next invoice');
  });

  it('refuses an amount without two decimals, 0.00 and a blank description before sending', async () => {
    const api = chargesServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const dialog = await openAddDialog(user);
    const description = within(dialog).getByLabelText(/^Description/);
    const amount = within(dialog).getByLabelText(/^Amount/);
    const add = within(dialog).getByRole('button', { name: 'Add charge' });

    await user.type(description, '   ');
    await user.type(amount, '25.00');
    await user.click(add);
    expect(description).toBeInvalid();
    expect(description).toHaveAccessibleDescription(/Enter what the charge is for\./);

    await user.clear(description);
    await user.type(description, 'Set-up fee');
    for (const refused of ['10', '1e3']) {
      await user.clear(amount);
      await user.type(amount, refused);
      await user.click(add);
      expect(amount).toBeInvalid();
      expect(amount).toHaveAccessibleDescription(/Write the amount with two decimals, such as 25\.00/);
    }
    await user.clear(amount);
    await user.type(amount, '0.00');
    await user.click(add);
    expect(amount).toHaveAccessibleDescription(/Enter more than 0\.00\./);
    expect(description).toBeValid();
    expect(api.to('POST', CHARGES)).toEqual([]);
  });

  it('shows the gateway’s refusal of the amount beside the amount', async () => {
    const api = chargesServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const dialog = await openAddDialog(user);
    await user.type(within(dialog).getByLabelText(/^Description/), 'Migration');
    const amount = within(dialog).getByLabelText(/^Amount/);
    await user.type(amount, '20000.00');
    await user.click(within(dialog).getByRole('button', { name: 'Add charge' }));

    await waitFor(() =>
      expect(amount).toHaveAccessibleDescription(/must be at most 10000\.00 for one charge/),
    );
    expect(amount).toBeInvalid();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(api.to('POST', CHARGES)).toHaveLength(1);
  });

  it('removes a pending charge after confirmation', async () => {
    const api = chargesServer();
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const region = await card();
    const pending = await within(region).findByRole('row', { name: /Set-up fee/ });
    await user.click(within(pending).getByRole('button', { name: 'Remove charge Set-up fee' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this charge?' });
    expect(api.to('DELETE', `${CHARGES}/${setUpFee.id}`)).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Remove charge' }));

    expect(await screen.findByText('Charge removed: it is not billed to alice.')).toBeInTheDocument();
    expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `${CHARGES}/${setUpFee.id}`,
    ]);
    await waitFor(() =>
      expect(within(region).queryByRole('row', { name: /Set-up fee/ })).not.toBeInTheDocument(),
    );
  });

  it('offers no Remove on a billed charge', async () => {
    chargesServer();
    signInAs(adminUser);
    renderApp('/admin/accounts/alice');

    const region = await card();
    await within(region).findByRole('row', { name: /Set-up fee/ });
    expect(within(rowOf(region, 'Domain transfer')).queryByRole('button')).not.toBeInTheDocument();
    expect(within(region).getAllByRole('button', { name: /^Remove charge/ })).toHaveLength(1);
  });

  it('shows the gateway’s detail when an invoice billed the charge meanwhile', async () => {
    // The page still shows it pending; the run billed it since.
    chargesServer([{ ...transfer, invoice: null }]);
    signInAs(adminUser);
    const { user } = renderApp('/admin/accounts/alice');

    const region = await card();
    const row = await within(region).findByRole('row', { name: /Domain transfer/ });
    await user.click(within(row).getByRole('button', { name: 'Remove charge Domain transfer' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this charge?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove charge' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'This charge is on an invoice already; void the invoice to cancel it.',
    );
  });

  it('shows the owner their charges to read, without adding or removing', async () => {
    const api = chargesServer();
    signInAs(ownerUser(makeAccount(), makePlan()));
    renderApp('/panel');

    const region = await card();
    expect(await within(region).findByRole('row', { name: /Set-up fee/ })).toHaveTextContent('Next invoice');
    expect(rowOf(region, 'Domain transfer')).toHaveTextContent('Billed');
    expect(within(region).getByText(/Pending charges go on your next invoice/)).toBeInTheDocument();
    expect(within(region).queryByRole('button', { name: 'Add charge' })).not.toBeInTheDocument();
    expect(within(region).queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
    // An owner's list is its own: no account filter is sent.
    expect(api.to('GET', CHARGES)[0]!.query.has('account')).toBe(false);
  });

  it('shows a reseller no charges, and never asks for them', async () => {
    const api = chargesServer();
    signInAs(resellerUser);
    renderApp('/admin/accounts/alice');

    expect(await screen.findByRole('heading', { level: 1, name: 'alice' })).toBeInTheDocument();
    // The cards load lazily: once every one has arrived, this one would show if it were let.
    await act(() => vi.dynamicImportSettled());
    await screen.findByRole('region', { name: 'PHP workers' });
    expect(screen.queryByRole('region', { name: 'One-off charges' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Add charge' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Remove charge/ })).not.toBeInTheDocument();
    expect(api.to('GET', CHARGES)).toEqual([]);
  });
});
