import type { Account, AuthResponse, Me, Plan, PlanUsage } from '@/types/api';

export function makeAccount(overrides: Partial<Account> = {}): Account {
  return {
    name: 'alice',
    email: 'alice@example.test',
    shell: 'nologin',
    plan: 'default',
    status: 'active',
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    system: null,
    ...overrides,
  };
}

export function makePlan(overrides: Partial<Plan> = {}): Plan {
  return {
    name: 'default',
    max_domains: null,
    max_aliases: null,
    max_databases: null,
    max_cron_jobs: null,
    disk_quota_mb: null,
    accounts: 0,
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}

export const adminUser: Me = { id: 1, name: 'admin', role: 'admin', account: null };

export function ownerUser(
  account: Account = makeAccount(),
  plan: Plan = makePlan(),
  usage: PlanUsage = { max_domains: 0, max_aliases: 0 },
): Me {
  return { id: 2, name: account.name, role: 'owner', account, plan, usage };
}

export function authResponse(user: Me, token = 'access-1'): AuthResponse {
  return { access_token: token, token_type: 'Bearer', expires_in: 900, user };
}
