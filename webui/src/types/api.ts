// Shapes from docs/api.md that more than one feature reads. A type used by a single
// feature lives in that feature instead.

export type Role = 'admin' | 'owner';

export type AccountShell = 'nologin' | 'bash' | 'sh';
export const ACCOUNT_SHELLS: readonly AccountShell[] = ['nologin', 'bash', 'sh'];

export type AccountStatus = 'pending' | 'active' | 'suspended';

/**
 * What the account's files take under the server's user quotas on /home. A server whose /home
 * has no user quotas does not enforce them, and then knows neither figure.
 */
export type DiskUsage =
  | { enforced: false; used_bytes: null; limit_bytes: null; used_inodes?: null; inode_limit?: null }
  /**
   * `limit_bytes` is the hard limit, or null for no limit; `used_inodes` counts the files, folders
   * and links the account owns, `inode_limit` their hard limit (null: none).
   */
  | {
      enforced: true;
      used_bytes: number;
      limit_bytes: number | null;
      used_inodes?: number;
      inode_limit?: number | null;
    };

/**
 * The agent's live view of the account: filled in by GET of one account, and in lists for
 * active and suspended accounts; null while the agent cannot answer a list.
 */
export type AccountSystem = {
  uid: number;
  gid: number;
  home: string;
  suspended: boolean;
  disk: DiskUsage;
};

/**
 * Who suspended an account or a domain, and why. An administrator's suspension is lifted only by
 * an administrator. `user` is null for owners when an administrator did it.
 */
export type Suspension = {
  by: 'admin' | 'owner';
  user: string | null;
  reason: string | null;
  at: string | null;
};

export type Account = {
  name: string;
  email: string | null;
  shell: AccountShell;
  /** Name of the account's plan. */
  plan: string;
  status: AccountStatus;
  /** While suspended: who did it and why. */
  suspension?: Suspension | null;
  created_at: string;
  updated_at: string;
  system: AccountSystem | null;
};

export type Me = {
  id: number;
  name: string;
  role: Role;
  /** The owner's own account; null for administrators. */
  account: Account | null;
  /** Owners: the account's plan; absent or null for administrators. */
  plan?: Plan | null;
  /** Owners: what the account uses of each counted limit (keys of limits not counted yet are absent). */
  usage?: PlanUsage | null;
};

/**
 * The limits a plan sets. Each is an integer ≥ 0, or null for unlimited; 0 allows none. Except
 * `disk_quota_mb` (MiB) and `inode_quota` (files, folders and links): ≥ 1 or null, enforced by
 * the server as a user quota (0 is refused).
 */
export type PlanLimitKey =
  'max_domains' | 'max_aliases' | 'max_databases' | 'max_cron_jobs' | 'disk_quota_mb' | 'inode_quota';

export type PlanLimits = Record<PlanLimitKey, number | null>;

export type Plan = PlanLimits & {
  name: string;
  /** How many accounts are on this plan. */
  accounts: number;
  created_at: string;
  updated_at: string;
};

/**
 * `max_aliases` is the most aliases on any one of the account's domains; `disk_quota_mb` the MiB
 * the account's files use, rounded up, and `inode_quota` how many it owns, both absent when the
 * server does not enforce disk quotas.
 */
export type PlanUsage = Partial<Record<PlanLimitKey, number>>;

/** Answer of POST /auth/login and POST /auth/refresh. */
export type AuthResponse = {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: Me;
};

export type Page<T> = {
  items: T[];
  next_page_token: string | null;
};

export type PageParams = {
  limit?: number;
  page_token?: string | undefined;
};
