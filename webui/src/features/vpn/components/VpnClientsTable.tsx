import { useMemo, useState } from 'react';
import { Badge, Button, Table, type Column } from '@/components/ui';
import type { Area } from '@/config/paths';
import { formatBytes } from '@/lib/format';
import type { VpnClient } from '../types';
import { RevokeVpnClientDialog } from './RevokeVpnClientDialog';

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

function columnsFor(area: Area, onRevoke: (client: VpnClient) => void): Column<VpnClient>[] {
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
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (c) => (
        <Button
          size="sm"
          variant="ghost"
          aria-label={`Revoke VPN client ${c.name}`}
          disabled={c.status === 'revoking'}
          onClick={() => onRevoke(c)}
        >
          Revoke
        </Button>
      ),
    },
  ];
}

type VpnClientsTableProps = { clients: readonly VpnClient[]; area: Area; busy?: boolean };

export function VpnClientsTable({ clients, area, busy = false }: VpnClientsTableProps) {
  const [revoking, setRevoking] = useState<VpnClient | null>(null);
  const columns = useMemo(() => columnsFor(area, setRevoking), [area]);
  return (
    <>
      <Table caption="VPN clients" columns={columns} rows={clients} rowKey={(c) => c.id} busy={busy} />
      {revoking ? <RevokeVpnClientDialog client={revoking} open onClose={() => setRevoking(null)} /> : null}
    </>
  );
}
