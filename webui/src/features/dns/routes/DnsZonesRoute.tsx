import { useState } from 'react';
import { useNavigate } from 'react-router';
import { AccountFilterField, PagedList } from '@/components/PagedList';
import { Button, EmptyState, PageHeader } from '@/components/ui';
import { paths, type Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useZones } from '../api/list-zones';
import { CreateZoneDialog } from '../components/CreateZoneDialog';
import { ZonesTable } from '../components/ZonesTable';

const PAGE_SIZE = 50;

export function DnsZonesRoute({ area }: { area: Area }) {
  const navigate = useNavigate();
  const filter = useAccountFilter(area);
  const [adding, setAdding] = useState(false);
  const pages = usePageTokens(filter.account);
  const zones = useZones({
    account: filter.account || undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  const addButton = (label: string) => (
    <Button variant="primary" onClick={() => setAdding(true)}>
      {label}
    </Button>
  );

  return (
    <>
      <PageHeader
        title="DNS zones"
        description={
          area === 'admin'
            ? 'Zones this server answers for, across all accounts.'
            : 'The DNS records this server publishes for your domains. Point the domain’s nameservers here to use them.'
        }
        actions={addButton('Add zone')}
      />
      {area === 'admin' ? <AccountFilterField filter={filter} /> : null}
      <PagedList
        what="DNS zones"
        title="DNS zones"
        account={filter.account}
        query={zones}
        pages={pages}
        renderTable={(items, busy) => <ZonesTable zones={items} area={area} busy={busy} />}
        empty={
          <EmptyState
            title="No DNS zones yet"
            action={addButton(area === 'admin' ? 'Add a zone' : 'Add your first zone')}
          >
            A zone holds the DNS records of one of your domains: where its website and mail are.
          </EmptyState>
        }
      />
      <CreateZoneDialog
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={(zone) =>
          navigate(area === 'admin' ? paths.admin.dnsZone(zone.name) : paths.panel.dnsZone(zone.name))
        }
        area={area}
        account={filter.account}
      />
    </>
  );
}
