import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, EmptyState, LoadingState, PageHeader } from '@/components/ui';
import { paths } from '@/config/paths';
import { useDomain } from '../api/get-domain';
import { CertificateCard } from '../components/CertificateCard';
import { DomainActions } from '../components/DomainActions';
import { DomainDetails } from '../components/DomainDetails';
import { DomainLogs } from '../components/DomainLogs';
import { PhpSettingsCard } from '../components/PhpSettingsCard';
import type { Domain, DomainsArea } from '../types';
import { describeSuspension, ownerMayLift } from '@/lib/suspension';

export function DomainRoute({ area }: { area: DomainsArea }) {
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const domain = useDomain(name);
  const list = area === 'admin' ? paths.admin.domains : paths.panel.domains;
  const back = (
    <Link className="back-link" to={list}>
      ← Domains
    </Link>
  );

  if (domain.isPending) return <LoadingState label="Loading domain…" />;

  if (domain.isError) {
    return (
      <>
        <PageHeader title={name} back={back} />
        {domain.error.status === 404 ? (
          <EmptyState title="Domain not found">There is no domain named “{name}” here.</EmptyState>
        ) : (
          <Alert
            tone="error"
            title="Could not load the domain"
            action={<Button onClick={() => void domain.refetch()}>Try again</Button>}
          >
            {domain.error.message}
          </Alert>
        )}
      </>
    );
  }

  return (
    <>
      <PageHeader title={domain.data.unicode_name} back={back} />
      <div className="stack">
        <StatusNotice domain={domain.data} area={area} />
        <div className="grid grid--2">
          <DomainDetails domain={domain.data} area={area} />
          <DomainActions domain={domain.data} area={area} onDeleted={() => navigate(list)} />
        </div>
        <CertificateCard domain={domain.data} />
        {domain.data.backend.type === 'php' ? <PhpSettingsCard domain={domain.data} /> : null}
        <DomainLogs domain={domain.data} />
      </div>
    </>
  );
}

function suspendedAdvice(domain: Domain, area: DomainsArea): string {
  if (area === 'admin') return 'Its site is not served until you unsuspend it.';
  if (ownerMayLift(domain.suspension)) return 'Its site is not served until you unsuspend it.';
  return 'Its site is not served. Contact your hosting provider to have it restored.';
}

function StatusNotice({ domain, area }: { domain: Domain; area: DomainsArea }) {
  switch (domain.status) {
    case 'suspended':
      return (
        <Alert tone="warning" title="This domain is suspended">
          {domain.suspension ? <p>{describeSuspension(domain.suspension)}</p> : null}
          <p>{suspendedAdvice(domain, area)}</p>
        </Alert>
      );
    case 'pending':
      return (
        <Alert tone="info" title="This domain is being set up">
          It will be served in a moment.
        </Alert>
      );
    case 'deleting':
      return (
        <Alert tone="info" title="This domain is being deleted">
          It can no longer be changed.
        </Alert>
      );
    case 'active':
      return null;
  }
}
