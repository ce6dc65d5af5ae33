import { Alert, Badge, type BadgeTone, Button, Card, type Column, Table } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { useReconcile } from '../api/get-reconcile';
import { useRunReconcile } from '../api/run-reconcile';
import type { ReconcileFinding, ReconcileReport, ReconcileResource } from '../types';

const RESOURCE: Record<ReconcileResource, string> = {
  account: 'Account',
  domain: 'Domain',
  database: 'Database',
  database_user: 'Database user',
  cron_job: 'Cron job',
  dns_zone: 'DNS zone',
  dns_record: 'DNS record',
  ssh_key: 'SSH key',
  ssh_access: 'SFTP access',
  php_pool: 'PHP pool',
  vpn_client: 'VPN clients',
  certificate: 'Certificates',
};

const OUTCOME: Record<ReconcileFinding['outcome'], { label: string; tone: BadgeTone }> = {
  repaired: { label: 'Repaired', tone: 'success' },
  drift: { label: 'Drift', tone: 'warning' },
  failed: { label: 'Repair failed', tone: 'danger' },
  in_progress: { label: 'Changed meanwhile', tone: 'info' },
};

const TRIGGER: Partial<Record<ReconcileReport['trigger'], string>> = {
  start: 'At the gateway’s start',
  recovery: 'After an agent call broke off',
};

const COLUMNS: readonly Column<ReconcileFinding>[] = [
  { key: 'resource', header: 'Resource', cell: (f) => RESOURCE[f.resource] },
  { key: 'name', header: 'Name', cell: (f) => f.name },
  { key: 'account', header: 'Account', cell: (f) => f.account ?? '—', secondary: true },
  { key: 'difference', header: 'What differed', cell: (f) => f.difference },
  {
    key: 'outcome',
    header: 'Outcome',
    cell: (f) => <Badge tone={OUTCOME[f.outcome].tone}>{OUTCOME[f.outcome].label}</Badge>,
  },
  { key: 'action', header: 'What was done', cell: (f) => f.action, secondary: true },
];

/**
 * Whether the panel's records and the server agree: the last reconcile's report (made at the
 * gateway's start, or by "Check now"), what it repaired and what it left as drift.
 */
export function ConsistencyPanel() {
  const state = useReconcile();
  const run = useRunReconcile();
  const report = state.data?.last ?? null;
  const running = run.isPending || Boolean(state.data?.running);

  return (
    <Card
      title="Consistency"
      actions={
        <Button variant="primary" pending={running} disabled={running} onClick={() => run.mutate()}>
          Check now
        </Button>
      }
    >
      {run.isError ? (
        <Alert tone="error" title="The check could not run">
          {run.error.message}
        </Alert>
      ) : null}
      {state.isError ? (
        <Alert tone="warning" title="Could not load the last report">
          {state.error.message}
        </Alert>
      ) : null}
      {report ? (
        <Report report={report} />
      ) : state.isSuccess ? (
        <p className="muted">No check has run yet.</p>
      ) : null}
    </Card>
  );
}

function Report({ report }: { report: ReconcileReport }) {
  const totals = report.resources.reduce(
    (sum, r) => ({
      checked: sum.checked + r.checked,
      repaired: sum.repaired + r.repaired,
      left: sum.left + r.drift + r.failed,
    }),
    { checked: 0, repaired: 0, left: 0 },
  );
  const when = `${TRIGGER[report.trigger] ?? `By ${report.actor}`}, ${formatDateTime(report.finished_at)}`;
  return (
    <>
      <p>
        {totals.left === 0 && totals.repaired === 0
          ? `Records and server agree: ${totals.checked} checked.`
          : `${totals.checked} checked: ${totals.repaired} repaired, ${totals.left} left for you to look at.`}
      </p>
      <p className="field__hint">{when}.</p>
      {report.findings.length > 0 ? (
        <Table
          caption="Differences found"
          columns={COLUMNS}
          rows={report.findings}
          rowKey={(f) => `${f.resource} ${f.name} ${f.difference}`}
        />
      ) : null}
    </>
  );
}
