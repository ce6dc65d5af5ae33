import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Select, TextArea, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { useConfigureVpnServer } from '../api/configure-vpn-server';
import type { VpnServerSettings } from '../types';

const FIELDS = ['network', 'port', 'protocol', 'public_address', 'dns_servers', 'routes'] as const;
const PROTOCOLS = [
  { value: 'udp', label: 'UDP (recommended)' },
  { value: 'tcp', label: 'TCP' },
] as const;
// The shapes the gateway's document states; the server has the last word (a network not
// written as its network address is its 422).
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const ADDRESS = /^(\d{1,3}\.){3}\d{1,3}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** One value a line; blank lines dropped. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

type Draft = {
  enabled: boolean;
  network: string;
  port: string;
  protocol: 'udp' | 'tcp';
  public_address: string;
  dns_servers: string;
  routes: string;
};

function draftOf(settings: VpnServerSettings | null): Draft {
  return {
    enabled: settings?.enabled ?? true,
    network: settings?.network ?? '10.8.0.0/24',
    port: String(settings?.port ?? 1194),
    protocol: settings?.protocol ?? 'udp',
    public_address: settings?.public_address ?? '',
    dns_servers: (settings?.dns_servers ?? []).join('\n'),
    routes: (settings?.routes ?? []).join('\n'),
  };
}

export function checkDraft(draft: Draft): Partial<Record<(typeof FIELDS)[number], string>> {
  const port = Number(draft.port);
  const publicAddress = draft.public_address.trim().toLowerCase();
  return {
    network: CIDR.test(draft.network.trim()) ? undefined : 'Enter a private network such as 10.8.0.0/24.',
    port: Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : 'Enter a port from 1 to 65535.',
    public_address:
      ADDRESS.test(publicAddress) || HOST.test(publicAddress)
        ? undefined
        : 'Enter the host name or IPv4 address clients connect to, such as vpn.example.net.',
    dns_servers: linesOf(draft.dns_servers).every((a) => ADDRESS.test(a))
      ? linesOf(draft.dns_servers).length <= 4
        ? undefined
        : 'At most 4 DNS servers.'
      : 'One IPv4 address a line, such as 10.8.0.1.',
    routes: linesOf(draft.routes).every((r) => CIDR.test(r))
      ? undefined
      : 'One network a line, such as 192.168.10.0/24.',
  };
}

export function VpnServerForm({ settings }: { settings: VpnServerSettings | null }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const mutation = useConfigureVpnServer();
  const errors = useFieldErrors(FIELDS, mutation.error);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    if ((FIELDS as readonly string[]).includes(key)) errors.markEdited(key as (typeof FIELDS)[number]);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!errors.validate(checkDraft(draft))) return;
    mutation.mutate(
      {
        enabled: draft.enabled,
        network: draft.network.trim(),
        port: Number(draft.port),
        protocol: draft.protocol,
        public_address: draft.public_address.trim().toLowerCase(),
        dns_servers: linesOf(draft.dns_servers),
        routes: linesOf(draft.routes),
      },
      {
        onSuccess: (server) =>
          toast.success(server.running ? 'VPN server saved and running.' : 'VPN server saved.'),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="VPN server settings">
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      <Checkbox
        label="Run the VPN server"
        checked={draft.enabled}
        onChange={(e) => set('enabled', e.target.checked)}
        hint="Turned off, OpenVPN stops and every client is disconnected; the settings and clients stay."
      />
      <TextField
        label="Clients’ network"
        name="network"
        value={draft.network}
        onChange={(e) => set('network', e.target.value)}
        error={errors.errorFor('network')}
        hint="A private network (RFC 1918), /16 to /29, written as its network address. The server takes its first address."
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Port"
        name="port"
        inputMode="numeric"
        value={draft.port}
        onChange={(e) => set('port', e.target.value)}
        error={errors.errorFor('port')}
      />
      <Select
        label="Protocol"
        name="protocol"
        options={PROTOCOLS}
        value={draft.protocol}
        onChange={(e) => set('protocol', e.target.value === 'tcp' ? 'tcp' : 'udp')}
        error={errors.errorFor('protocol')}
      />
      <TextField
        label="Public address"
        name="public_address"
        value={draft.public_address}
        onChange={(e) => set('public_address', e.target.value)}
        error={errors.errorFor('public_address')}
        hint="The host name or IPv4 address written into clients’ profiles."
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      <TextArea
        label="DNS servers"
        name="dns_servers"
        required={false}
        rows={2}
        value={draft.dns_servers}
        onChange={(e) => set('dns_servers', e.target.value)}
        error={errors.errorFor('dns_servers')}
        hint="Pushed to clients: up to 4 IPv4 addresses, one a line."
        spellCheck={false}
      />
      <TextArea
        label="Routes"
        name="routes"
        required={false}
        rows={3}
        value={draft.routes}
        onChange={(e) => set('routes', e.target.value)}
        error={errors.errorFor('routes')}
        hint="Networks clients reach through the tunnel, one a line (up to 32). The server must forward them; JoPanel does not change the firewall."
        spellCheck={false}
      />
      <div className="actions actions--row">
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save and apply
        </Button>
      </div>
    </form>
  );
}
