import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { adminUser, makeServerOverview } from '@/testing/fixtures';
import { deferred, json, mockApi, problem } from '@/testing/mock-api';
import { renderApp, signInAs } from '@/testing/render';
import type { ReconcileFinding, ReconcileReport } from '../types';

const panel = () => screen.getByRole('region', { name: 'Consistency' });

function report(findings: ReconcileFinding[], extra: Partial<ReconcileReport> = {}): ReconcileReport {
  const count = (outcome: string) => findings.filter((f) => f.outcome === outcome).length;
  return {
    started_at: '2026-12-04T19:00:00Z',
    finished_at: '2026-12-04T19:00:02Z',
    trigger: 'start',
    actor: 'system',
    resources: [
      {
        resource: 'account',
        checked: 12,
        repaired: count('repaired'),
        drift: count('drift'),
        failed: count('failed'),
      },
    ],
    findings,
    ...extra,
  };
}

const REPAIRED: ReconcileFinding = {
  resource: 'domain',
  name: 'shop.example',
  account: 'alice',
  difference: 'the site is not served (its configuration is gone)',
  outcome: 'repaired',
  action: 'created again from the record (files already in its folder are kept)',
};
const DRIFT: ReconcileFinding = {
  resource: 'account',
  name: 'mallory',
  account: 'mallory',
  difference: 'a Linux account of the panel’s kind has no record',
  outcome: 'drift',
  action: 'left as it is: a person decides',
};

describe('consistency panel', () => {
  it('shows what the check at start repaired and what it left as drift', async () => {
    signInAs(adminUser);
    mockApi({
      'GET /api/v1/server': () => json(200, makeServerOverview()),
      'GET /api/v1/reconcile': () => json(200, { running: false, last: report([REPAIRED, DRIFT]) }),
    });
    renderApp('/admin');

    await waitFor(() =>
      expect(panel()).toHaveTextContent('12 checked: 1 repaired, 1 left for you to look at.'),
    );
    expect(panel()).toHaveTextContent('At the gateway’s start');
    const table = within(panel()).getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('Domain');
    expect(rows[1]).toHaveTextContent('shop.example');
    expect(rows[1]).toHaveTextContent('Repaired');
    expect(rows[2]).toHaveTextContent('mallory');
    expect(rows[2]).toHaveTextContent('Drift');
  });

  it('checks now on request and shows the new report', async () => {
    signInAs(adminUser);
    const answer = deferred<Response>();
    const api = mockApi({
      'GET /api/v1/server': () => json(200, makeServerOverview()),
      'GET /api/v1/reconcile': () => json(200, { running: false, last: null }),
      'POST /api/v1/reconcile': () => answer.promise,
    });
    const { user } = renderApp('/admin');

    await waitFor(() => expect(panel()).toHaveTextContent('No check has run yet.'));
    const check = within(panel()).getByRole('button', { name: 'Check now' });
    await user.click(check);
    expect(check).toBeDisabled();
    answer.resolve(json(200, report([], { trigger: 'request', actor: 'admin' })));

    await waitFor(() => expect(panel()).toHaveTextContent('Records and server agree: 12 checked.'));
    expect(panel()).toHaveTextContent('By admin');
    expect(within(panel()).queryByRole('table')).not.toBeInTheDocument();
    expect(check).toBeEnabled();
    expect(api.to('POST', '/api/v1/reconcile')).toHaveLength(1);
  });

  it('says so when the check cannot run', async () => {
    signInAs(adminUser);
    mockApi({
      'GET /api/v1/server': () => json(200, makeServerOverview()),
      'GET /api/v1/reconcile': () => json(200, { running: false, last: report([DRIFT]) }),
      'POST /api/v1/reconcile': () =>
        problem(503, { title: 'Agent unavailable', detail: 'The agent does not answer.' }),
    });
    const { user } = renderApp('/admin');

    await waitFor(() => expect(panel()).toHaveTextContent('mallory'));
    await user.click(within(panel()).getByRole('button', { name: 'Check now' }));
    const alert = await within(panel()).findByRole('alert');
    expect(alert).toHaveTextContent('The check could not run');
    expect(panel()).toHaveTextContent('mallory'); // the last report stays
  });
});
