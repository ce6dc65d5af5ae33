import type { Account, AuthResponse, Me } from '@/types/api';

export function makeAccount(overrides: Partial<Account> = {}): Account {
  return {
    name: 'alice',
    email: 'alice@example.test',
    shell: 'nologin',
    status: 'active',
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    system: null,
    ...overrides,
  };
}

export const adminUser: Me = { id: 1, name: 'admin', role: 'admin', account: null };

export function ownerUser(account: Account = makeAccount()): Me {
  return { id: 2, name: account.name, role: 'owner', account };
}

export function authResponse(user: Me, token = 'access-1'): AuthResponse {
  return { access_token: token, token_type: 'Bearer', expires_in: 900, user };
}
