// Shapes of the VPN clients routes (docs/vpn.md); hand-written until the API types are
// generated from the OpenAPI document. Only this feature reads them.

export type VpnClientStatus = 'pending' | 'active' | 'revoking';
/** As OpenVPN sees the client now; "unknown" while it is not made yet. */
export type VpnClientState = 'connected' | 'disconnected' | 'revoked' | 'unknown';

export type VpnClient = {
  id: string;
  /** The account's (or an administrator's) user name. */
  owner: string;
  name: string;
  status: VpnClientStatus;
  state: VpnClientState;
  tunnel_address: string | null;
  real_address: string | null;
  bytes_received: number;
  bytes_sent: number;
  connected_since: string | null;
  created_at: string;
};

/** The create answer: the only time the profile (with the client's private key) is shown. */
export type VpnClientCreated = VpnClient & { profile: string };
