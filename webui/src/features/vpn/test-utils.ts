import type { VpnClient } from './types';

export function makeVpnClient(overrides: Partial<VpnClient> = {}): VpnClient {
  return {
    id: '0a1b2c3d4e5f6a7b',
    owner: 'alice',
    name: 'laptop',
    status: 'active',
    state: 'disconnected',
    tunnel_address: null,
    real_address: null,
    bytes_received: 0,
    bytes_sent: 0,
    connected_since: null,
    expires_at: '2029-03-10T00:00:00Z',
    created_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}
