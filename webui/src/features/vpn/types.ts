// The API's VPN client shapes (docs/vpn.md), from the generated types; only this feature
// reads them.
import type { Schemas } from '@/types/api';

export type VpnClient = Schemas['VpnClient'];
export type VpnClientStatus = VpnClient['status'];
/** As OpenVPN sees the client now; "unknown" while it is not made yet. */
export type VpnClientState = VpnClient['state'];
/** The create answer: the only time the profile (with the client's private key) is shown. */
export type VpnClientCreated = Schemas['VpnClientCreated'];
/** The server's settings (administrators), and whether OpenVPN serves them. */
export type VpnServer = Schemas['VpnServer'];
export type VpnServerSettings = Schemas['VpnServerSettings'];
