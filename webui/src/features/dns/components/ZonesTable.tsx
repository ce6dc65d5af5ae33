import { Link } from 'react-router';
import { Table, type Column } from '@/components/ui';
import { paths, type Area } from '@/config/paths';
import { formatDateTime, formatInteger } from '@/lib/format';
import type { DnsZone } from '../types';
import { ZoneStatusBadge } from './ZoneStatusBadge';

const zonePath = (area: Area, name: string) =>
  area === 'admin' ? paths.admin.dnsZone(name) : paths.panel.dnsZone(name);

function columnsFor(area: Area): readonly Column<DnsZone>[] {
  return [
    {
      key: 'name',
      header: 'Zone',
      cell: (z) => (
        <Link className="table__link" to={zonePath(area, z.name)}>
          {z.name}
        </Link>
      ),
    },
    { key: 'status', header: 'Status', cell: (z) => <ZoneStatusBadge status={z.status} /> },
    ...(area === 'admin'
      ? [
          {
            key: 'account',
            header: 'Account',
            cell: (z: DnsZone) => <Link to={paths.admin.account(z.account)}>{z.account}</Link>,
          },
        ]
      : []),
    { key: 'records', header: 'Records', align: 'end', cell: (z) => formatInteger(z.records) },
    {
      key: 'created',
      header: 'Created',
      secondary: true,
      cell: (z) => <time dateTime={z.created_at}>{formatDateTime(z.created_at)}</time>,
    },
  ];
}

const COLUMNS = { admin: columnsFor('admin'), panel: columnsFor('panel') };

export function ZonesTable({
  zones,
  area,
  busy = false,
}: {
  zones: readonly DnsZone[];
  area: Area;
  busy?: boolean;
}) {
  return (
    <Table caption="DNS zones" columns={COLUMNS[area]} rows={zones} rowKey={(z) => z.name} busy={busy} />
  );
}
