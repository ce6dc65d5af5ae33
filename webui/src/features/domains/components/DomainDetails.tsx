import { Link } from 'react-router';
import { Card, FactList } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatDateTime } from '@/lib/format';
import type { Domain, DomainsArea } from '../types';
import { describeBackend } from './backend-form';
import { DomainStatusBadge } from './DomainStatusBadge';
import { DomainZoneLink } from './DomainZoneLink';

export function DomainDetails({ domain, area }: { domain: Domain; area: DomainsArea }) {
  const facts = [
    { term: 'Status', value: <DomainStatusBadge status={domain.status} /> },
    {
      term: 'Address',
      // Plain HTTP until certificates exist; the site itself may redirect to HTTPS.
      value: (
        <a href={`http://${domain.name}/`} target="_blank" rel="noopener noreferrer">
          http://{domain.unicode_name}/
        </a>
      ),
    },
    ...(domain.unicode_name !== domain.name ? [{ term: 'DNS name', value: <code>{domain.name}</code> }] : []),
    ...(area === 'admin'
      ? [{ term: 'Account', value: <Link to={paths.admin.account(domain.account)}>{domain.account}</Link> }]
      : []),
    { term: 'Backend', value: describeBackend(domain.backend) },
    {
      term: 'Aliases',
      value:
        domain.aliases.length > 0 ? (
          <ul className="plain-list">
            {domain.aliases.map((alias) => (
              <li key={alias}>{alias}</li>
            ))}
          </ul>
        ) : (
          <span className="muted">None</span>
        ),
    },
    { term: 'DNS zone', value: <DomainZoneLink domain={domain} area={area} /> },
    { term: 'Document root', value: <code>{domain.document_root}</code> },
    { term: 'Created', value: <time dateTime={domain.created_at}>{formatDateTime(domain.created_at)}</time> },
    { term: 'Updated', value: <time dateTime={domain.updated_at}>{formatDateTime(domain.updated_at)}</time> },
  ];
  return (
    <Card title="Site">
      <FactList facts={facts} />
    </Card>
  );
}
