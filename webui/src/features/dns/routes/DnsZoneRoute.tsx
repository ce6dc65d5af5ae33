import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ListLoadError } from '@/components/ListLoadError';
import {
  Alert,
  Button,
  Card,
  EmptyState,
  FactList,
  LoadingState,
  PageHeader,
  Pagination,
} from '@/components/ui';
import { paths, type Area } from '@/config/paths';
import { formatDateTime, formatInteger } from '@/lib/format';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useZone } from '../api/get-zone';
import { useRecords } from '../api/list-records';
import { DeleteZoneDialog } from '../components/DeleteZoneDialog';
import { RecordDialog } from '../components/RecordDialog';
import { RecordsTable } from '../components/RecordsTable';
import { ZoneStatusBadge } from '../components/ZoneStatusBadge';
import type { DnsZone } from '../types';

// The API's largest page: almost every zone fits on one.
const RECORDS_PAGE = 200;

export function DnsZoneRoute({ area }: { area: Area }) {
  const { zone: name = '' } = useParams();
  const navigate = useNavigate();
  const zone = useZone(name);
  const list = area === 'admin' ? paths.admin.dnsZones : paths.panel.dnsZones;
  const back = (
    <Link className="back-link" to={list}>
      ← DNS zones
    </Link>
  );

  if (zone.isPending) return <LoadingState label="Loading DNS zone…" />;
  if (zone.isError) {
    return (
      <>
        <PageHeader title={name} back={back} />
        {zone.error.status === 404 ? (
          <EmptyState title="Zone not found">There is no DNS zone named “{name}” here.</EmptyState>
        ) : (
          <Alert
            tone="error"
            title="Could not load the zone"
            action={<Button onClick={() => void zone.refetch()}>Try again</Button>}
          >
            {zone.error.message}
          </Alert>
        )}
      </>
    );
  }
  return <ZonePage zone={zone.data} area={area} back={back} onDeleted={() => navigate(list)} />;
}

type ZonePageProps = { zone: DnsZone; area: Area; back: ReactNode; onDeleted: () => void };

function ZonePage({ zone, area, back, onDeleted }: ZonePageProps) {
  const [dialog, setDialog] = useState<'add' | 'delete' | null>(null);
  const close = () => setDialog(null);
  const changing = zone.status === 'deleting';

  return (
    <>
      <PageHeader
        title={zone.name}
        back={back}
        description="DNS zone"
        actions={
          <>
            <Button variant="primary" onClick={() => setDialog('add')} disabled={changing}>
              Add record
            </Button>
            <Button variant="danger" onClick={() => setDialog('delete')} disabled={changing}>
              Delete zone
            </Button>
          </>
        }
      />
      <div className="stack">
        {changing ? (
          <Alert tone="info" title="This zone is being deleted">
            It can no longer be changed.
          </Alert>
        ) : null}
        <Card title="Zone">
          <FactList
            facts={[
              { term: 'Status', value: <ZoneStatusBadge status={zone.status} /> },
              ...(area === 'admin'
                ? [
                    {
                      term: 'Account',
                      value: <Link to={paths.admin.account(zone.account)}>{zone.account}</Link>,
                    },
                  ]
                : []),
              { term: 'Records', value: formatInteger(zone.records) },
              {
                term: 'Created',
                value: <time dateTime={zone.created_at}>{formatDateTime(zone.created_at)}</time>,
              },
            ]}
          />
          <p className="field__hint">
            The server adds the SOA and NS records itself; they are not listed here.
          </p>
        </Card>
        <Records zone={zone.name} editable={!changing} onAdd={() => setDialog('add')} />
      </div>
      <RecordDialog zone={zone.name} open={dialog === 'add'} onClose={close} />
      <DeleteZoneDialog zone={zone} open={dialog === 'delete'} onClose={close} onDeleted={onDeleted} />
    </>
  );
}

function Records({ zone, editable, onAdd }: { zone: string; editable: boolean; onAdd: () => void }) {
  const pages = usePageTokens(zone);
  const records = useRecords(zone, { pageToken: pages.pageToken, limit: RECORDS_PAGE });
  if (records.isPending) return <LoadingState label="Loading records…" />;
  if (records.isError)
    return <ListLoadError what="records" error={records.error} retry={() => void records.refetch()} />;
  const data = records.data;
  if (data.items.length === 0 && !pages.hasPrevious) {
    return (
      <EmptyState
        title="No records yet"
        action={
          editable ? (
            <Button variant="primary" onClick={onAdd}>
              Add a record
            </Button>
          ) : undefined
        }
      >
        Add an A record to point the domain at a server, MX records for mail, TXT for SPF and verification.
      </EmptyState>
    );
  }
  return (
    <div>
      <RecordsTable zone={zone} records={data.items} busy={records.isPlaceholderData} editable={editable} />
      <Pagination
        label="Records pages"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={Boolean(data.next_page_token)}
        onPrevious={pages.previous}
        onNext={() => pages.next(data.next_page_token)}
        busy={records.isFetching}
      />
    </div>
  );
}
