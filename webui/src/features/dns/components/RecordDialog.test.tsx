import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderWithProviders } from '@/testing/render';
import { sampleRecords } from '../test-utils';
import type { DnsRecord } from '../types';
import { RecordDialog } from './RecordDialog';

const RECORDS = '/api/v1/dns-zones/example.com/records';

function renderDialog(record?: DnsRecord) {
  const onClose = vi.fn();
  const rendered = renderWithProviders(
    <RecordDialog zone="example.com" open onClose={onClose} record={record} />,
  );
  const dialog = screen.getByRole('dialog', { name: record ? 'Edit record' : 'Add record' });
  return { ...rendered, onClose, dialog };
}

const echo = () => async (req: { body: unknown }) => json(201, { id: 'new1', ...(req.body as object) });
const posted = (api: ReturnType<typeof mockApi>) => api.to('POST', RECORDS).map((r) => r.body);
const labels = (dialog: HTMLElement) =>
  within(dialog)
    .getAllByRole('textbox')
    .concat(within(dialog).queryAllByRole('spinbutton'))
    .concat(within(dialog).getAllByRole('combobox'))
    .map((el) => el.getAttribute('id'))
    .map((id) => document.querySelector(`label[for="${id}"]`)?.textContent)
    .sort();

describe('RecordDialog: the fields follow the type', () => {
  it.each([
    ['A', ['IPv4 address']],
    ['AAAA', ['IPv6 address']],
    ['CNAME', ['Target']],
    ['MX', ['Mail server', 'Preference']],
    ['TXT', ['Text']],
    ['SRV', ['Port', 'Priority', 'Target', 'Weight']],
    ['CAA', ['Flags', 'Tag', 'Value']],
    ['NS', ['Nameserver']],
  ])('%s asks for %j besides type, name and TTL', async (type, own) => {
    mockApi({});
    const { user, dialog } = renderDialog();
    await user.selectOptions(within(dialog).getByLabelText('Type'), type);
    expect(labels(dialog)).toEqual(['Name', 'TTL', 'Type', ...own].sort());
  });

  it.each([
    ['A', { 'IPv4 address': '192.0.2.7' }, { address: '192.0.2.7' }],
    ['AAAA', { 'IPv6 address': '2001:db8::7' }, { address: '2001:db8::7' }],
    ['CNAME', { Target: 'Shops.Example.NET.' }, { target: 'shops.example.net' }],
    [
      'MX',
      { Preference: '20', 'Mail server': 'mx2.example.com' },
      { preference: 20, exchange: 'mx2.example.com' },
    ],
    ['TXT', { Text: 'google-site-verification=abc' }, { text: 'google-site-verification=abc' }],
    [
      'SRV',
      { Priority: '1', Weight: '2', Port: '5060', Target: 'sip.example.com' },
      { priority: 1, weight: 2, port: 5060, target: 'sip.example.com' },
    ],
    ['CAA', { Value: 'letsencrypt.org' }, { flags: 0, tag: 'issue', value: 'letsencrypt.org' }],
    ['NS', { Nameserver: 'ns1.example.net' }, { nameserver: 'ns1.example.net' }],
  ])('sends %s records with their own fields only', async (type, fields, sent) => {
    const api = mockApi({ [`POST ${RECORDS}`]: echo() });
    const { user, dialog, onClose } = renderDialog();

    await user.selectOptions(within(dialog).getByLabelText('Type'), type);
    // Fields of another type, typed first, are not sent.
    if (type !== 'A') {
      await user.selectOptions(within(dialog).getByLabelText('Type'), 'A');
      await user.type(within(dialog).getByLabelText('IPv4 address'), '198.51.100.1');
      await user.selectOptions(within(dialog).getByLabelText('Type'), type);
    }
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'Sub');
    for (const [label, value] of Object.entries(fields)) {
      const input = within(dialog).getByLabelText(label);
      await user.clear(input);
      await user.type(input, value);
    }
    await user.selectOptions(within(dialog).getByLabelText('TTL'), '300');
    await user.click(within(dialog).getByRole('button', { name: 'Add record' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(posted(api)).toEqual([{ type, name: 'sub', ttl: 300, ...sent }]);
  });

  it('TXT: a textarea that says line breaks are not allowed, and refuses them', async () => {
    const api = mockApi({});
    const { user, dialog } = renderDialog();

    await user.selectOptions(within(dialog).getByLabelText('Type'), 'TXT');
    const text = within(dialog).getByLabelText('Text');
    expect(text.tagName).toBe('TEXTAREA');
    expect(text).toHaveAccessibleDescription(/line breaks are not allowed/);
    await user.type(text, 'v=spf1{Enter}-all');
    await user.click(within(dialog).getByRole('button', { name: 'Add record' }));

    expect(text).toBeInvalid();
    expect(text).toHaveAccessibleDescription(/Line breaks are not allowed: put the text on one line/);
    expect(posted(api)).toHaveLength(0);
  });

  it('checks addresses, host names and numbers before sending', async () => {
    const api = mockApi({});
    const { user, dialog } = renderDialog();

    await user.type(within(dialog).getByLabelText('IPv4 address'), '300.1.1.1');
    await user.click(within(dialog).getByRole('button', { name: 'Add record' }));
    expect(within(dialog).getByLabelText('IPv4 address')).toHaveAccessibleDescription(/IPv4 address such as/);

    await user.selectOptions(within(dialog).getByLabelText('Type'), 'MX');
    await user.clear(within(dialog).getByLabelText('Preference'));
    await user.type(within(dialog).getByLabelText('Preference'), '70000');
    await user.type(within(dialog).getByLabelText('Mail server'), 'localhost');
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'bad name');
    await user.click(within(dialog).getByRole('button', { name: 'Add record' }));
    expect(within(dialog).getByLabelText('Preference')).toHaveAccessibleDescription(/0 to 65535/);
    expect(within(dialog).getByLabelText('Mail server')).toHaveAccessibleDescription(/full host name/);
    expect(name).toHaveAccessibleDescription(/Use @, or labels/);
    expect(posted(api)).toHaveLength(0);
  });

  it('puts the gateway’s field errors beside the type’s own fields', async () => {
    mockApi({
      [`POST ${RECORDS}`]: () =>
        problem(400, {
          errors: [
            { field: 'port', message: 'Input should be less than or equal to 65535' },
            { field: 'target', message: 'must be a host name' },
            { field: 'ttl', message: 'use 60 to 604800 seconds' },
          ],
        }),
    });
    const { user, dialog } = renderDialog();

    await user.selectOptions(within(dialog).getByLabelText('Type'), 'SRV');
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), '_sip._tcp');
    await user.type(within(dialog).getByLabelText('Port'), '5060');
    await user.type(within(dialog).getByLabelText('Target'), 'sip.example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Add record' }));

    await waitFor(() =>
      expect(within(dialog).getByLabelText('Port')).toHaveAccessibleDescription(/less than or equal/),
    );
    expect(within(dialog).getByLabelText('Target')).toHaveAccessibleDescription(/must be a host name/);
    expect(within(dialog).getByLabelText('TTL')).toHaveAccessibleDescription(/60 to 604800/);
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('edits a record: its fields filled in, the whole record sent', async () => {
    const mx = sampleRecords.find((r) => r.type === 'MX')!;
    const api = mockApi({
      [`PATCH ${RECORDS}/${mx.id}`]: (req) => json(200, { id: mx.id, ...(req.body as object) }),
    });
    const { user, dialog, onClose } = renderDialog(mx);

    expect(within(dialog).getByLabelText('Type')).toHaveValue('MX');
    expect(within(dialog).getByLabelText('Name')).toHaveValue('@');
    expect(within(dialog).getByLabelText('TTL')).toHaveValue('0');
    expect(within(dialog).getByLabelText('Preference')).toHaveValue(10);
    const exchange = within(dialog).getByLabelText('Mail server');
    await user.clear(exchange);
    await user.type(exchange, 'mx.example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Save record' }));

    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.to('PATCH', `${RECORDS}/${mx.id}`)[0]!.body).toEqual({
      type: 'MX',
      name: '@',
      ttl: 0,
      preference: 10,
      exchange: 'mx.example.com',
    });
  });
});
