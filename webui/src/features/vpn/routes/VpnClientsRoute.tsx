import { useState } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import { Button, EmptyState, LoadingState, PageHeader, Pagination, TextField } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useVpnClients } from '../api/list-vpn-clients';
import { CreateVpnClientDialog } from '../components/CreateVpnClientDialog';
import { VpnClientsTable } from '../components/VpnClientsTable';

const PAGE_SIZE = 50;

export function VpnClientsRoute({ area }: { area: Area }) {
  const filter = useAccountFilter(area);
  const [adding, setAdding] = useState(false);
  const pages = usePageTokens(filter.account);
  const clients = useVpnClients({
    account: filter.account || undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  const data = clients.data;
  const addButton = (label: string) => (
    <Button variant="primary" onClick={() => setAdding(true)}>
      {label}
    </Button>
  );

  return (
    <>
      <PageHeader
        title="VPN"
        description={
          area === 'admin'
            ? 'VPN clients of every account, and your own.'
            : 'Devices that connect to the server’s private network through OpenVPN.'
        }
        actions={addButton('Add VPN client')}
      />
      {area === 'admin' ? (
        <div className="toolbar">
          <TextField
            label="Account"
            required={false}
            markOptional={false}
            placeholder="Any account"
            value={filter.input}
            onChange={(e) => filter.setInput(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
          />
        </div>
      ) : null}

      {clients.isPending ? (
        <LoadingState label="Loading VPN clients…" />
      ) : clients.isError ? (
        <ListLoadError
          what="VPN clients"
          account={filter.account}
          error={clients.error}
          retry={() => void clients.refetch()}
        />
      ) : data && data.items.length > 0 ? (
        <>
          <VpnClientsTable clients={data.items} area={area} busy={clients.isPlaceholderData} />
          <Pagination
            label="VPN clients pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={clients.isFetching}
          />
        </>
      ) : (
        <EmptyState title="No VPN clients yet" action={addButton('Add a VPN client')}>
          Each device gets a client of its own, with a profile to import into OpenVPN.
        </EmptyState>
      )}

      <CreateVpnClientDialog
        open={adding}
        onClose={() => setAdding(false)}
        area={area}
        account={filter.account}
      />
    </>
  );
}
