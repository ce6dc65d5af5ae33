import { useState } from 'react';
import { Alert, Button, Card, FactList, LoadingState, toast } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { useCertificate } from '../api/get-certificate';
import { useCertificateJob } from '../api/get-certificate-job';
import { useIssueCertificate } from '../api/issue-certificate';
import { isOrderRunning, type Certificate, type Domain } from '../types';
import { CertificateJobProgress } from './CertificateJobProgress';
import { CertificateStatusBadge } from './CertificateStatusBadge';
import { DeleteCertificateDialog } from './DeleteCertificateDialog';
import { HttpsSettings } from './HttpsSettings';
import { UploadCertificateDialog } from './UploadCertificateDialog';

/** Installed: a chain is served, whatever the last attempt did (a failed renewal keeps it). */
export const isInstalled = (certificate: Certificate) => certificate.not_after !== null;

/**
 * The site's HTTPS: what the certificate covers and until when, why the last attempt failed in
 * the owner's words, issue/renew, upload of a bought one, and the redirect and HSTS switches.
 */
export function CertificateCard({ domain }: { domain: Domain }) {
  const certificate = useCertificate(domain.name);
  if (certificate.isPending) {
    return (
      <Card title="HTTPS certificate">
        <LoadingState label="Loading certificate…" />
      </Card>
    );
  }
  if (certificate.isError) {
    return (
      <Card title="HTTPS certificate">
        <Alert
          tone="error"
          title="Could not load the certificate"
          action={<Button onClick={() => void certificate.refetch()}>Try again</Button>}
        >
          {certificate.error.message}
        </Alert>
      </Card>
    );
  }
  return <CertificateDetails domain={domain} certificate={certificate.data} />;
}

function CertificateDetails({ domain, certificate }: { domain: Domain; certificate: Certificate }) {
  const issue = useIssueCertificate(domain.name);
  const [dialog, setDialog] = useState<'upload' | 'delete' | null>(null);
  // The order this page follows: the one it started, or the one under way when it loaded (or
  // that a 409 named: the record read again shows it). Kept once ended, to show the outcome.
  const [followed, setFollowed] = useState(certificate.job_id ?? '');
  if (certificate.job_id && certificate.job_id !== followed) setFollowed(certificate.job_id);
  const job = useCertificateJob(domain.name, followed);
  const ordering = followed !== '' && (job.data ? isOrderRunning(job.data) : !job.isError);
  const installed = isInstalled(certificate);
  // A site being set up or deleted has nothing to serve a challenge from.
  const settled = domain.status === 'active' || domain.status === 'suspended';
  // `issuing` without an order of this page: a renewal in the background.
  const busy = issue.isPending || ordering || certificate.status === 'issuing';

  const issueNow = () =>
    issue.mutate(
      // A renewal keeps the site's HTTPS settings as they are.
      { name: domain.name, redirect_http: certificate.redirect_http, hsts: certificate.hsts },
      {
        onSuccess: (started) => setFollowed(started.id),
        onError: (error) =>
          toast.error(
            error.status === 409
              ? `An order for ${domain.unicode_name} is already under way: its progress is shown on the page.`
              : `No certificate for ${domain.unicode_name}: ${error.message}`,
          ),
      },
    );

  const actions = (
    <>
      <Button variant="primary" onClick={issueNow} pending={issue.isPending} disabled={!settled || busy}>
        {installed && certificate.source === 'acme' ? 'Renew now' : 'Issue certificate'}
      </Button>
      <Button onClick={() => setDialog('upload')} disabled={!settled || busy}>
        Upload certificate
      </Button>
    </>
  );

  return (
    <Card title="HTTPS certificate" actions={actions}>
      <div className="stack">
        {followed ? <CertificateJobProgress name={domain.name} id={followed} /> : null}
        {busy && !followed ? (
          <Alert tone="info" title="Issuing a certificate">
            The certificate authority is checking that the site’s names reach this server. This takes up to a
            minute.
          </Alert>
        ) : null}
        {certificate.last_error && !busy ? (
          <Alert
            tone="error"
            title={installed ? 'The last renewal failed' : 'The certificate was not issued'}
          >
            <p>{certificate.last_error}</p>
            {installed ? <p>The installed certificate is still served until it expires.</p> : null}
          </Alert>
        ) : null}
        <FactList facts={facts(certificate)} />
        {installed ? (
          <>
            <HttpsSettings domain={domain} certificate={certificate} disabled={!settled || busy} />
            <div>
              <Button variant="danger" onClick={() => setDialog('delete')} disabled={!settled || busy}>
                Turn HTTPS off
              </Button>
            </div>
          </>
        ) : (
          <p className="muted">
            The site is served over plain HTTP only. Issue a free certificate for its name and aliases, or
            upload one you bought.
          </p>
        )}
      </div>
      <UploadCertificateDialog
        domain={domain}
        certificate={certificate}
        open={dialog === 'upload'}
        onClose={() => setDialog(null)}
      />
      <DeleteCertificateDialog domain={domain} open={dialog === 'delete'} onClose={() => setDialog(null)} />
    </Card>
  );
}

function describeSource(certificate: Certificate): string {
  return certificate.source === 'upload'
    ? 'Uploaded: renew it where you bought it, then upload it again'
    : 'Issued by this server: renewed on its own when a third of its life is left';
}

function facts(certificate: Certificate) {
  const time = (iso: string) => <time dateTime={iso}>{formatDateTime(iso)}</time>;
  const none = (text: string) => <span className="muted">{text}</span>;
  return [
    { term: 'Certificate', value: <CertificateStatusBadge status={certificate.status} /> },
    ...(isInstalled(certificate)
      ? [
          { term: 'Valid until', value: time(certificate.not_after!) },
          {
            term: 'Names',
            value: (
              <ul className="plain-list">
                {certificate.names.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            ),
          },
          { term: 'Issuer', value: certificate.issuer || none('Unknown') },
          { term: 'Source', value: describeSource(certificate) },
        ]
      : []),
    {
      term: 'Last attempt',
      value: certificate.last_attempt_at ? time(certificate.last_attempt_at) : none('Never'),
    },
  ];
}
