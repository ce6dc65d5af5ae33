import { useMemo, useState } from 'react';
import { Badge, Button, Table, type Column } from '@/components/ui';
import type { Area } from '@/config/paths';
import { formatBytes, formatDateTime } from '@/lib/format';
import type { VpnClient } from '../types';
import { RenewVpnClientDialog } from './RenewVpnClientDialog';
import { RevokeVpnClientDialog } from './RevokeVpnClientDialog';

const RENEWAL_WINDOW_MS = 30 * 24 * 3600 * 1000;

/** When the certificate expires, and whether it is time to renew it. */
function Expiry({ client, now }: { client: VpnClient; now: number }) {
  if (!client.expires_at || client.state === 'revoked') return <>—</>;
  const soon = new Date(client.expires_at).getTime() - now < RENEWAL_WINDOW_MS;
  return (
    <span className="cell-stack">
      {formatDateTime(client.expires_at)}
      {soon ? <Badge tone="warning">Renew soon</Badge> : null}
    </span>
  );
}

const STATE_LABELS = {
  connected: 'Connected',
  disconnected: 'Not connected',
  revoked: 'Revoked',
  unknown: 'Unknown',
} as const;

function State({ client }: { client: VpnClient }) {
  if (client.status !== 'active') {
    return <Badge tone="warning">{client.status === 'pending' ? 'Pending' : 'Revoking'}</Badge>;
  }
  return (
    <span className="cell-stack">
      <Badge tone={client.state === 'connected' ? 'success' : 'neutral'}>{STATE_LABELS[client.state]}</Badge>
      {client.tunnel_address ? <code className="cell-sub">{client.tunnel_address}</code> : null}
    </span>
  );
}

type Actions = { revoke: (client: VpnClient) => void; renew: (client: VpnClient) => void; now: number };

function columnsFor(area: Area, on: Actions): Column<VpnClient>[] {
  return [
    { key: 'name', header: 'Name', cell: (c) => c.name },
    ...(area === 'admin'
      ? [{ key: 'owner', header: 'Owner', secondary: true, cell: (c: VpnClient) => c.owner }]
      : []),
    { key: 'state', header: 'State', cell: (c) => <State client={c} /> },
    {
      key: 'traffic',
      header: 'Traffic',
      secondary: true,
      cell: (c) =>
        c.state === 'connected'
          ? `${formatBytes(c.bytes_received)} in, ${formatBytes(c.bytes_sent)} out`
          : '—',
    },
    { key: 'expires', header: 'Expires', secondary: true, cell: (c) => <Expiry client={c} now={on.now} /> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (c) => (
        <span className="actions actions--row">
          {c.status === 'active' && c.state !== 'revoked' ? (
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Renew VPN client ${c.name}`}
              onClick={() => on.renew(c)}
            >
              Renew
            </Button>
          ) : null}
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Revoke VPN client ${c.name}`}
            disabled={c.status === 'revoking'}
            onClick={() => on.revoke(c)}
          >
            Revoke
          </Button>
        </span>
      ),
    },
  ];
}

type VpnClientsTableProps = { clients: readonly VpnClient[]; area: Area; busy?: boolean };

export function VpnClientsTable({ clients, area, busy = false }: VpnClientsTableProps) {
  const [revoking, setRevoking] = useState<VpnClient | null>(null);
  const [renewing, setRenewing] = useState<VpnClient | null>(null);
  // The time the list was shown: "renew soon" need not change while the page stays open.
  const [now] = useState(() => Date.now());
  const columns = useMemo(
    () => columnsFor(area, { revoke: setRevoking, renew: setRenewing, now }),
    [area, now],
  );
  return (
    <>
      <Table caption="VPN clients" columns={columns} rows={clients} rowKey={(c) => c.id} busy={busy} />
      {revoking ? <RevokeVpnClientDialog client={revoking} open onClose={() => setRevoking(null)} /> : null}
      {renewing ? <RenewVpnClientDialog client={renewing} open onClose={() => setRenewing(null)} /> : null}
    </>
  );
}
