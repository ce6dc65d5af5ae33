import type { Account, AccountSystem, AuthResponse, Me, Plan, PlanUsage, Schemas } from '@/types/api';

export function makeAccount(overrides: Partial<Account> = {}): Account {
  return {
    name: 'alice',
    email: 'alice@example.test',
    shell: 'nologin',
    plan: 'default',
    reseller: null,
    status: 'active',
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    system: null,
    suspension: null,
    ...overrides,
  };
}

/** GET of one account's `system`: on a server that does not enforce disk quotas, unless told. */
export function makeAccountSystem(overrides: Partial<AccountSystem> = {}): AccountSystem {
  return {
    uid: 1001,
    gid: 1001,
    home: '/home/alice',
    suspended: false,
    disk: { enforced: false, used_bytes: null, limit_bytes: null, used_inodes: null, inode_limit: null },
    ...overrides,
  };
}

export function makePlan(overrides: Partial<Plan> = {}): Plan {
  return {
    name: 'default',
    reseller: null,
    max_domains: null,
    max_aliases: null,
    max_databases: null,
    max_cron_jobs: null,
    max_vpn_clients: null,
    disk_quota_mb: null,
    inode_quota: null,
    max_php_memory_mb: null,
    max_php_upload_mb: null,
    max_php_execution_seconds: null,
    max_php_input_vars: null,
    max_php_children: null,
    log_retention_days: 14,
    backup_schedule: 'daily',
    backup_keep_daily: 7,
    backup_keep_weekly: 4,
    backup_keep_monthly: 6,
    max_backups_per_day: 3,
    backup_repository: '',
    ssh_shell: false,
    php_open_basedir: true,
    php_static_pools: false,
    accounts: 0,
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    ...overrides,
  };
}

export const adminUser: Me = {
  id: 1,
  name: 'admin',
  role: 'admin',
  account: null,
  plan: null,
  usage: null,
  reseller: null,
};

export function ownerUser(
  account: Account = makeAccount(),
  plan: Plan = makePlan(),
  usage: PlanUsage = { max_domains: 0, max_aliases: 0 },
): Me {
  return { id: 2, name: account.name, role: 'owner', account, plan, usage, reseller: null };
}

type Reseller = Schemas['Reseller'];

/** A reseller with totals of 10 accounts and 10 GiB, of which its 2 accounts reserve some. */
export function makeReseller(overrides: Partial<Reseller> = {}): Reseller {
  return {
    name: 'ann',
    email: null,
    max_accounts: 10,
    disk_quota_mb: 10240,
    max_domains: null,
    max_databases: null,
    reserved: { max_accounts: 2, disk_quota_mb: 2048, max_domains: 20, max_databases: null },
    plans: 1,
    created_at: '2025-01-02T03:04:05Z',
    updated_at: '2025-01-02T03:04:05Z',
    suspension: null,
    ...overrides,
  };
}

export const resellerUser: Me = {
  id: 3,
  name: 'ann',
  role: 'reseller',
  account: null,
  plan: null,
  usage: null,
  reseller: makeReseller(),
};

export function authResponse(user: Me, token = 'access-1'): AuthResponse {
  return { access_token: token, token_type: 'Bearer', expires_in: 900, user };
}

/**
 * GET /server's answer: a small machine with a little of everything, whose /home enforces disk
 * quotas unless told.
 */
export function makeServerOverview(
  counts: Partial<Record<string, number>> = {},
  { diskQuotasEnforced = true }: { diskQuotasEnforced?: boolean } = {},
) {
  const GiB = 1024 ** 3;
  return {
    server: {
      hostname: 'web1.example.net',
      kernel: 'Linux 6.1.0-28-amd64',
      uptime_seconds: 3 * 86400 + 4 * 3600 + 5 * 60,
      cpus: 2,
      load: [0.52, 1.5, 2.1],
      memory_total_bytes: 4 * GiB,
      memory_available_bytes: 1 * GiB,
      filesystems: [
        { path: '/', total_bytes: 40 * GiB, available_bytes: 30 * GiB },
        { path: '/home', total_bytes: 100 * GiB, available_bytes: 5 * GiB },
        { path: '/var', total_bytes: 20 * GiB, available_bytes: 10 * GiB },
      ],
      disk_quotas_enforced: diskQuotasEnforced,
    },
    counts: { accounts: 2, domains: 5, databases: 3, cron_jobs: 4, dns_zones: 1, ...counts },
  };
}
