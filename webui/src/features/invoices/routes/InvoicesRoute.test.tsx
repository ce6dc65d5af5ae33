import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminUser, ownerUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { Invoice } from '../types';

function makeInvoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: 'inv1',
    number: '2026-000001',
    account: 'alice',
    status: 'issued',
    period_start: '2026-11-01T00:00:00Z',
    period_end: '2026-12-01T00:00:00Z',
    currency: 'EUR',
    net: '23.33',
    tax_rate: '21.00',
    tax: '4.90',
    gross: '28.23',
    created_at: '2026-12-01T00:00:05Z',
    issued_at: '2026-12-01T09:00:00Z',
    settled_at: null,
    reverse_charge: false,
    customer: ['Alice Example'],
    vat_number: null,
    credit_note: null,
    credited_at: null,
    ...overrides,
  };
}

const issued = makeInvoice();
const draft = makeInvoice({ id: 'inv2', number: null, account: 'bob', status: 'draft', issued_at: null });
const list = (items: Invoice[]) => ({
  'GET /api/v1/invoices': () => json(200, { items, next_page_token: null }),
});

describe('Invoices page', () => {
  let saved: string[];
  beforeEach(() => {
    saved = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => {} }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('lists an owner’s invoices with exact totals, and downloads a PDF', async () => {
    signInAs(ownerUser());
    const api = mockApi({
      ...list([issued]),
      'GET /api/v1/invoices/inv1/pdf': () =>
        new Response('%PDF-1.4', { status: 200, headers: { 'Content-Type': 'application/pdf' } }),
    });
    const { user } = renderApp('/panel/invoices');

    const table = await screen.findByRole('table', { name: 'Invoices' });
    const row = within(table).getByRole('row', { name: /2026-000001/ });
    expect(within(row).getByText('28.23 EUR')).toBeInTheDocument();
    expect(within(row).getByText('Issued')).toBeInTheDocument();
    // Owners neither issue, settle nor export.
    expect(within(row).queryByRole('button', { name: /Mark paid/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Export invoices' })).not.toBeInTheDocument();

    await user.click(within(row).getByRole('button', { name: 'Download PDF of 2026-000001' }));
    await vi.waitFor(() => expect(saved).toEqual(['invoice-2026-000001.pdf']));
    const [request] = api.to('GET', '/api/v1/invoices/inv1/pdf');
    expect(request!.headers.get('Authorization')).toMatch(/^Bearer /);
  });

  it('says which invoices were made under the reverse charge', async () => {
    signInAs(ownerUser());
    const abroad = makeInvoice({
      id: 'inv3',
      number: '2026-000003',
      tax_rate: '0.00',
      tax: '0.00',
      reverse_charge: true,
    });
    mockApi(list([issued, abroad]));
    renderApp('/panel/invoices');

    const table = await screen.findByRole('table', { name: 'Invoices' });
    expect(
      within(within(table).getByRole('row', { name: /2026-000003/ })).getByText('net 23.33, reverse charge'),
    ).toBeInTheDocument();
    expect(
      within(within(table).getByRole('row', { name: /2026-000001/ })).getByText('net 23.33, tax 21.00%'),
    ).toBeInTheDocument();
  });

  it('says why a PDF could not be downloaded', async () => {
    signInAs(ownerUser());
    mockApi({
      ...list([issued]),
      'GET /api/v1/invoices/inv1/pdf': () =>
        problem(404, { title: 'Not Found', detail: "Invoice 'inv1' not found." }),
    });
    const { user } = renderApp('/panel/invoices');

    await user.click(await screen.findByRole('button', { name: 'Download PDF of 2026-000001' }));
    expect(await screen.findByText(/Could not download the PDF/)).toBeInTheDocument();
    expect(saved).toEqual([]);
  });

  it('lets an administrator issue a draft and mark an issued invoice paid', async () => {
    signInAs(adminUser);
    const api = mockApi({
      ...list([issued, draft]),
      'POST /api/v1/invoices/inv2/issue': () =>
        json(200, { ...draft, status: 'issued', number: '2026-000002' }),
      'POST /api/v1/invoices/inv1/pay': () => json(200, { ...issued, status: 'paid' }),
    });
    const { user } = renderApp('/admin/invoices');

    const table = await screen.findByRole('table', { name: 'Invoices' });
    const draftRow = within(table).getByRole('row', { name: /bob/ });
    expect(within(draftRow).queryByRole('button', { name: /Mark paid/ })).not.toBeInTheDocument();
    await user.click(within(draftRow).getByRole('button', { name: 'Issue draft for bob' }));
    expect(await screen.findByText('Invoice 2026-000002 issued.')).toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: 'Mark paid 2026-000001' }));
    expect(await screen.findByText('Invoice 2026-000001 marked paid.')).toBeInTheDocument();
    expect(api.to('POST', '/api/v1/invoices/inv1/pay')).toHaveLength(1);
    expect(within(table).getByRole('button', { name: 'Void 2026-000001' })).toBeInTheDocument();
  });

  it('shows the conflict the server answers', async () => {
    signInAs(adminUser);
    mockApi({
      ...list([issued]),
      'POST /api/v1/invoices/inv1/void': () =>
        problem(409, { title: 'Conflict', detail: 'Only an issued invoice can be marked paid or void.' }),
    });
    const { user } = renderApp('/admin/invoices');

    await user.click(await screen.findByRole('button', { name: 'Void 2026-000001' }));
    expect(await screen.findByText('Only an issued invoice can be marked paid or void.')).toBeInTheDocument();
  });

  it('runs the month’s invoices and exports a CSV for accounting', async () => {
    signInAs(adminUser);
    const api = mockApi({
      ...list([]),
      'POST /api/v1/invoices/run': () => json(200, { made: 3 }),
      'GET /api/v1/invoice-export': () =>
        new Response('number,issued_at\n', { status: 200, headers: { 'Content-Type': 'text/csv' } }),
    });
    const { user } = renderApp('/admin/invoices');

    await user.click(await screen.findByRole('button', { name: 'Make this month’s invoices' }));
    expect(await screen.findByText('3 draft invoices made.')).toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Export invoices' });
    const start = within(form).getByLabelText(/^Issued from/);
    const end = within(form).getByLabelText(/^Until/);
    await user.clear(start);
    await user.type(start, '2026-01-01');
    await user.clear(end);
    await user.type(end, '2027-01-01');
    await user.click(within(form).getByRole('button', { name: 'Export CSV' }));
    await vi.waitFor(() => expect(saved).toEqual(['invoices-2026-01-01-2027-01-01.csv']));
    const [request] = api.to('GET', '/api/v1/invoice-export');
    expect(Object.fromEntries(request!.query)).toEqual({ start: '2026-01-01', end: '2027-01-01' });
  });

  it('refuses an export range that ends before it starts', async () => {
    signInAs(adminUser);
    const api = mockApi(list([]));
    const { user } = renderApp('/admin/invoices');

    const form = await screen.findByRole('form', { name: 'Export invoices' });
    const start = within(form).getByLabelText(/^Issued from/);
    await user.clear(start);
    await user.type(start, '2030-01-01');
    await user.click(within(form).getByRole('button', { name: 'Export CSV' }));
    expect(await within(form).findByText('Give two days, the first before the second.')).toBeInTheDocument();
    expect(api.to('GET', '/api/v1/invoice-export')).toHaveLength(0);
  });

  it('shows a void invoice’s credit note and downloads it', async () => {
    signInAs(ownerUser());
    const voided = makeInvoice({
      status: 'void',
      credit_note: 'CN-2026-000001',
      credited_at: '2026-12-02T10:00:00Z',
    });
    const api = mockApi({
      ...list([voided]),
      'GET /api/v1/invoices/inv1/credit-note': () =>
        new Response('%PDF-1.4', { status: 200, headers: { 'Content-Type': 'application/pdf' } }),
    });
    const { user } = renderApp('/panel/invoices');

    const row = await screen.findByRole('row', { name: /2026-000001/ });
    expect(within(row).getByText('Void')).toBeInTheDocument();
    expect(within(row).getByText('credit note CN-2026-000001')).toBeInTheDocument();
    await user.click(within(row).getByRole('button', { name: 'Download credit note CN-2026-000001' }));
    await vi.waitFor(() => expect(saved).toEqual(['CN-2026-000001.pdf']));
    expect(api.to('GET', '/api/v1/invoices/inv1/credit-note')).toHaveLength(1);
  });

  it('loads the billing settings and saves them, for invoices made from now on', async () => {
    signInAs(adminUser);
    const settings = { currency: 'EUR', tax_rate: '21.00', seller: ['Example Hosting Ltd', '1 Main Street'] };
    const api = mockApi({
      ...list([]),
      'GET /api/v1/billing-settings': () => json(200, settings),
      'PUT /api/v1/billing-settings': (req) => json(200, req.body),
    });
    const { user } = renderApp('/admin/invoices');

    await user.click(await screen.findByRole('button', { name: 'Billing settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Billing settings' });
    expect(dialog).toHaveAccessibleDescription(/Changes apply to invoices made from now on/);
    const currency = await within(dialog).findByLabelText('Currency');
    const rate = within(dialog).getByLabelText('Tax rate (%)');
    const seller = within(dialog).getByLabelText(/^Seller/);
    expect(currency).toHaveValue('EUR');
    expect(rate).toHaveValue('21.00');
    expect(seller).toHaveValue('Example Hosting Ltd\n1 Main Street');

    await user.clear(currency);
    await user.type(currency, 'usd');
    await user.clear(rate);
    await user.type(rate, '19.00');
    await user.type(seller, '{Enter}Springfield{Enter}{Enter}');
    await user.click(within(dialog).getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByText('Billing settings saved.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // Upper-cased, the rate as typed (a string, never a number), empty last lines dropped.
    expect(api.to('PUT', '/api/v1/billing-settings').map((r) => r.body)).toEqual([
      { currency: 'USD', tax_rate: '19.00', seller: ['Example Hosting Ltd', '1 Main Street', 'Springfield'] },
    ]);
  });

  it('refuses a rate without its two decimals and a long seller line before sending', async () => {
    signInAs(adminUser);
    const api = mockApi({
      ...list([]),
      'GET /api/v1/billing-settings': () => json(200, { currency: 'EUR', tax_rate: '21.00', seller: [] }),
    });
    const { user } = renderApp('/admin/invoices');

    await user.click(await screen.findByRole('button', { name: 'Billing settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Billing settings' });
    const rate = await within(dialog).findByLabelText('Tax rate (%)');
    const seller = within(dialog).getByLabelText(/^Seller/);
    await user.clear(rate);
    await user.type(rate, '19');
    await user.type(seller, `Example Hosting Ltd{Enter}${'x'.repeat(101)}`);
    await user.click(within(dialog).getByRole('button', { name: 'Save settings' }));

    expect(rate).toHaveAccessibleDescription(/written with two decimals, such as 19\.00/);
    expect(rate).toBeInvalid();
    expect(seller).toHaveAccessibleDescription(/Line 2 is longer than 100 characters\./);
    expect(api.to('PUT', '/api/v1/billing-settings')).toHaveLength(0);
  });

  it('shows the server’s field errors beside the settings they name', async () => {
    signInAs(adminUser);
    const api = mockApi({
      ...list([]),
      'GET /api/v1/billing-settings': () => json(200, { currency: 'EUR', tax_rate: '21.00', seller: [] }),
      'PUT /api/v1/billing-settings': () =>
        problem(422, {
          title: 'Unprocessable Content',
          errors: [
            { field: 'currency', message: 'Not a currency this panel knows.' },
            { field: 'seller.1', message: 'String should match pattern' },
          ],
        }),
    });
    const { user } = renderApp('/admin/invoices');

    await user.click(await screen.findByRole('button', { name: 'Billing settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Billing settings' });
    const currency = await within(dialog).findByLabelText('Currency');
    await user.clear(currency);
    await user.type(currency, 'XYZ');
    await user.type(within(dialog).getByLabelText(/^Seller/), 'Example Hosting Ltd{Enter}1 Main Street');
    await user.click(within(dialog).getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(currency).toHaveAccessibleDescription(/Not a currency this panel knows\./));
    expect(within(dialog).getByLabelText(/^Seller/)).toHaveAccessibleDescription(
      /Line 2: String should match pattern/,
    );
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(api.to('PUT', '/api/v1/billing-settings')).toHaveLength(1);
  });

  it('never offers an owner the billing settings, nor asks for them', async () => {
    signInAs(ownerUser());
    const api = mockApi(list([issued]));
    renderApp('/panel/invoices');

    await screen.findByRole('table', { name: 'Invoices' });
    expect(screen.queryByRole('button', { name: 'Billing settings' })).not.toBeInTheDocument();
    expect(api.requests.filter((r) => r.path.includes('billing'))).toEqual([]);
  });
});
