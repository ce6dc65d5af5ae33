import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Area } from '@/config/paths';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders } from '@/testing/render';
import { makeZone } from '../test-utils';
import { CreateZoneDialog } from './CreateZoneDialog';

/** The account's zones, by name. */
const zonesNamed = (...names: string[]) => ({
  'GET /api/v1/dns-zones': () =>
    json(200, { items: names.map((name) => makeZone({ name })), next_page_token: null }),
});

const domains = {
  ...zonesNamed(),
  'GET /api/v1/domains': () =>
    json(200, {
      items: [
        { name: 'example.com', unicode_name: 'example.com', aliases: ['example.net'] },
        { name: 'xn--bcher-kva.example', unicode_name: 'bücher.example', aliases: [] },
      ],
      next_page_token: null,
    }),
};

function renderDialog(area: Area = 'panel') {
  const onClose = vi.fn();
  const onCreated = vi.fn();
  const rendered = renderWithProviders(
    <CreateZoneDialog open onClose={onClose} onCreated={onCreated} area={area} />,
  );
  return { ...rendered, onClose, onCreated, dialog: screen.getByRole('dialog', { name: 'Add DNS zone' }) };
}

const posted = (api: ReturnType<typeof mockApi>) => api.to('POST', '/api/v1/dns-zones').map((r) => r.body);

describe('CreateZoneDialog', () => {
  it('offers the account’s domains and aliases, and the usual records by default', async () => {
    const api = mockApi({
      ...domains,
      'POST /api/v1/dns-zones': () => json(201, makeZone({ name: 'example.net' })),
    });
    const { user, dialog, onCreated } = renderDialog();

    const domain = await within(dialog).findByLabelText('Domain');
    expect(
      within(domain)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual([
      'example.com',
      'example.net (alias of example.com)',
      'bücher.example (xn--bcher-kva.example)',
    ]);
    expect(within(dialog).getByRole('checkbox', { name: 'Start with the usual records' })).toBeChecked();
    await user.selectOptions(domain, 'example.net');
    await user.click(within(dialog).getByRole('button', { name: 'Add zone' }));

    await waitFor(() =>
      expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ name: 'example.net' })),
    );
    expect(posted(api)).toEqual([{ name: 'example.net', default_records: true }]);
  });

  it('can start empty', async () => {
    const api = mockApi({ ...domains, 'POST /api/v1/dns-zones': () => json(201, makeZone()) });
    const { user, dialog, onCreated } = renderDialog();

    await within(dialog).findByLabelText('Domain');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Start with the usual records' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add zone' }));

    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'example.com', default_records: false }]);
  });

  it('says to add a website first when there are no domains', async () => {
    mockApi({
      ...zonesNamed(),
      'GET /api/v1/domains': () => json(200, { items: [], next_page_token: null }),
    });
    const { dialog } = renderDialog();

    expect(await within(dialog).findByText('No domains yet')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Add zone' })).toBeDisabled();
  });

  it('leaves out the domains and aliases that have a zone already', async () => {
    const api = mockApi({
      ...domains,
      ...zonesNamed('example.com'),
      'POST /api/v1/dns-zones': () => json(201, makeZone({ name: 'example.net' })),
    });
    const { user, dialog, onCreated } = renderDialog();

    const domain = await within(dialog).findByLabelText('Domain');
    expect(
      within(domain)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['example.net (alias of example.com)', 'bücher.example (xn--bcher-kva.example)']);
    expect(domain).toHaveValue('example.net');
    await user.click(within(dialog).getByRole('button', { name: 'Add zone' }));

    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'example.net', default_records: true }]);
  });

  it('says so when every domain has a zone, instead of an empty select', async () => {
    mockApi({ ...domains, ...zonesNamed('example.com', 'example.net', 'xn--bcher-kva.example') });
    const { dialog } = renderDialog();

    expect(await within(dialog).findByText('Every domain has a DNS zone')).toBeInTheDocument();
    expect(within(dialog).getByRole('status')).toHaveTextContent(
      'Each domain and alias of the account has its zone already.',
    );
    expect(within(dialog).queryByLabelText('Domain')).not.toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Add zone' })).toBeDisabled();
  });

  it('says when the zones cannot be loaded, and tries again', async () => {
    let fail = true;
    mockApi({
      ...domains,
      'GET /api/v1/dns-zones': () =>
        fail ? problem(503, { title: 'Agent unavailable' }) : json(200, { items: [], next_page_token: null }),
    });
    const { user, dialog } = renderDialog();

    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the domains');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await within(dialog).findByLabelText('Domain')).toBeInTheDocument();
  });

  it('shows a taken zone (409) at the top and the gateway’s name error beside the domain', async () => {
    let answer = problem(409, { title: 'Conflict', detail: "The zone 'example.com' exists already." });
    mockApi({ ...domains, 'POST /api/v1/dns-zones': () => answer });
    const { user, dialog } = renderDialog();

    await within(dialog).findByLabelText('Domain');
    await user.click(within(dialog).getByRole('button', { name: 'Add zone' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('exists already');

    answer = problem(400, {
      errors: [{ field: 'name', message: 'is not a domain of alice; add the website first' }],
    });
    await user.click(within(dialog).getByRole('button', { name: 'Add zone' }));
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Domain')).toHaveAccessibleDescription(/add the website first/),
    );
  });

  it('lists the domains of the account an administrator names, less its zones', async () => {
    const api = mockApi({
      ...domains,
      ...zonesNamed('example.net'),
      'POST /api/v1/dns-zones': () => json(201, makeZone()),
    });
    const { user, dialog, onCreated } = renderDialog('admin');

    expect(within(dialog).getByText('Enter the account to choose one of its domains.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Account'), 'alice');
    await within(dialog).findByLabelText('Domain');
    expect(api.to('GET', '/api/v1/domains')[0]!.query.get('account')).toBe('alice');
    expect(api.to('GET', '/api/v1/dns-zones')[0]!.query.get('account')).toBe('alice');
    expect(
      within(within(dialog).getByLabelText('Domain'))
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['example.com', 'bücher.example (xn--bcher-kva.example)']);
    await user.click(within(dialog).getByRole('button', { name: 'Add zone' }));

    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ name: 'example.com', default_records: true, account: 'alice' }]);
  });
});
