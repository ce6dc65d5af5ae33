import { Link } from 'react-router';
import { Table, type Column } from '@/components/ui';
import { paths } from '@/config/paths';
import type { Domain, DomainsArea } from '../types';
import { describeBackend } from './backend-form';
import { DomainStatusBadge } from './DomainStatusBadge';

const domainPath = (area: DomainsArea, name: string) =>
  area === 'admin' ? paths.admin.domain(name) : paths.panel.domain(name);

function columnsFor(area: DomainsArea): readonly Column<Domain>[] {
  return [
    {
      key: 'name',
      header: 'Domain',
      cell: (d) => (
        <Link className="table__link" to={domainPath(area, d.name)}>
          {d.unicode_name}
        </Link>
      ),
    },
    { key: 'status', header: 'Status', cell: (d) => <DomainStatusBadge status={d.status} /> },
    ...(area === 'admin'
      ? [
          {
            key: 'account',
            header: 'Account',
            cell: (d: Domain) => <Link to={paths.admin.account(d.account)}>{d.account}</Link>,
          },
        ]
      : []),
    { key: 'backend', header: 'Backend', cell: (d) => describeBackend(d.backend), secondary: true },
    {
      key: 'aliases',
      header: 'Aliases',
      cell: (d) => (d.aliases.length > 0 ? d.aliases.join(', ') : <span className="muted">—</span>),
      secondary: true,
    },
  ];
}

const COLUMNS = { admin: columnsFor('admin'), panel: columnsFor('panel') };

type DomainsTableProps = { domains: readonly Domain[]; area: DomainsArea; busy?: boolean };

export function DomainsTable({ domains, area, busy }: DomainsTableProps) {
  return (
    <Table
      caption="Domains"
      columns={COLUMNS[area]}
      rows={domains}
      rowKey={(d) => d.name}
      busy={busy ?? false}
    />
  );
}
