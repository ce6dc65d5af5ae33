import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser } from '@/testing/fixtures';
import { json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { AuditEntry } from '../api/list-audit-log';

const entry = (id: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  time: '2025-03-04T05:06:07Z',
  actor: 'admin',
  action: 'accounts.create',
  target: `user${id}`,
  result: 'ok',
  detail: '',
  client: '192.0.2.1',
  ...overrides,
});

describe('audit log', () => {
  it('shows entries in a paged table', async () => {
    const api = mockApi({
      'GET /api/v1/audit-log': (req) =>
        req.query.get('page_token') === 'older'
          ? json(200, {
              items: [entry(1, { result: 'error', detail: 'useradd failed' })],
              next_page_token: null,
            })
          : json(200, { items: [entry(3), entry(2)], next_page_token: 'older' }),
    });
    signInAs(adminUser);
    const { user } = renderApp('/admin/audit-log');

    const table = await screen.findByRole('table', { name: 'Audit log' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getByText('user3')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Next page' }));

    expect(await screen.findByText('useradd failed')).toBeInTheDocument();
    expect(screen.getByText('Error')).toBeInTheDocument();
    expect(api.requests.at(-1)!.query.get('page_token')).toBe('older');
  });

  it('explains a failure and offers a retry', async () => {
    mockApi({
      'GET /api/v1/audit-log': () =>
        problem(503, { title: 'Service unavailable', detail: 'The database is restarting.' }),
    });
    signInAs(adminUser);
    renderApp('/admin/audit-log');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The database is restarting.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
