import { Alert, Badge, Button, Card, FactList } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { useIssuePanelCertificate } from '../api/issue-panel-certificate';
import type { PanelCertificate, ServedCertificate } from '../types';

const STATUS: Record<
  PanelCertificate['status'],
  { label: string; tone: 'neutral' | 'info' | 'success' | 'danger' }
> = {
  none: { label: 'Never ordered', tone: 'neutral' },
  issuing: { label: 'Ordering…', tone: 'info' },
  valid: { label: 'Valid', tone: 'success' },
  failed: { label: 'Last order failed', tone: 'danger' },
};

function servedFacts(served: ServedCertificate) {
  return [
    { term: 'Covers', value: served.names.join(', ') },
    {
      term: 'Issuer',
      value: served.self_signed ? `${served.issuer} (self-signed, from the installer)` : served.issuer,
    },
    { term: 'Valid from', value: formatDateTime(served.not_before) },
    { term: 'Expires', value: formatDateTime(served.not_after) },
    { term: 'SHA-256 fingerprint', value: <code>{served.fingerprint_sha256}</code> },
  ];
}

/** The certificate browsers see on the panel's own host name, and a button to order one now. */
export function PanelCertificateCard({ certificate }: { certificate: PanelCertificate }) {
  const issue = useIssuePanelCertificate();
  const status = STATUS[certificate.status];
  const configured = certificate.host_name !== '';
  const attempts = [
    {
      term: 'Last attempt',
      value: certificate.last_attempt_at ? formatDateTime(certificate.last_attempt_at) : 'Never',
    },
    {
      term: 'Next renewal',
      value: certificate.next_attempt_at ? formatDateTime(certificate.next_attempt_at) : 'Not scheduled',
    },
  ];
  return (
    <Card title="Panel certificate" actions={<Badge tone={status.tone}>{status.label}</Badge>}>
      <div className="stack">
        {configured ? (
          <p>
            Served for <strong>{certificate.host_name}</strong>, the panel&apos;s host name.
          </p>
        ) : (
          <Alert tone="warning" title="No host name configured">
            The panel has no host name (panel_hostname in the agent&apos;s configuration), so no certificate
            can be ordered for it.
          </Alert>
        )}
        {certificate.status === 'failed' && certificate.last_error ? (
          <Alert tone="error" title="The last order failed">
            {certificate.last_error}
          </Alert>
        ) : null}
        {issue.isError ? (
          <Alert tone="error" title="Could not order the certificate">
            {issue.error.message}
          </Alert>
        ) : null}
        {certificate.served ? (
          <FactList facts={[...servedFacts(certificate.served), ...attempts]} />
        ) : (
          <FactList facts={attempts} />
        )}
        <div className="form__actions">
          <Button
            variant="primary"
            pending={issue.isPending}
            disabled={!configured || certificate.status === 'issuing'}
            onClick={() => issue.mutate()}
          >
            {certificate.served && !certificate.served.self_signed ? 'Renew now' : 'Order certificate'}
          </Button>
        </div>
      </div>
    </Card>
  );
}
