import { Link } from 'react-router';
import { ListLoadError } from '@/components/ListLoadError';
import { Badge, Card, LoadingState, PageHeader } from '@/components/ui';
import { paths } from '@/config/paths';
import { useVpnServer } from '../api/get-vpn-server';
import { VpnServerForm } from '../components/VpnServerForm';
import type { VpnServer } from '../types';

function ServerState({ server }: { server: VpnServer }) {
  if (!server.configured) return <Badge tone="neutral">Not set up</Badge>;
  if (server.running) return <Badge tone="success">Running</Badge>;
  return <Badge tone={server.settings?.enabled ? 'danger' : 'neutral'}>Stopped</Badge>;
}

export function VpnServerRoute() {
  const server = useVpnServer();
  return (
    <>
      <PageHeader
        title="VPN server"
        description={
          <>
            The server’s OpenVPN. Its certificates are made and kept by the agent; clients are managed on the{' '}
            <Link to={paths.admin.vpn}>VPN</Link> page.
          </>
        }
      />
      {server.isPending ? (
        <LoadingState label="Loading the VPN server…" />
      ) : server.isError ? (
        <ListLoadError what="the VPN server" error={server.error} retry={() => void server.refetch()} />
      ) : (
        <Card title="Settings" actions={<ServerState server={server.data} />}>
          {/* Keyed on the saved settings: a save that changes them starts the form afresh. */}
          <VpnServerForm key={JSON.stringify(server.data.settings)} settings={server.data.settings} />
        </Card>
      )}
    </>
  );
}
