// Shapes from docs/api.md that more than one feature reads. A type used by a single
// feature lives in that feature instead.

export type Role = 'admin' | 'owner';

export type AccountShell = 'nologin' | 'bash' | 'sh';
export const ACCOUNT_SHELLS: readonly AccountShell[] = ['nologin', 'bash', 'sh'];

export type AccountStatus = 'pending' | 'active' | 'suspended';

/** The agent's live view of the account; filled in by GET of one account, null in lists. */
export type AccountSystem = {
  uid: number;
  gid: number;
  home: string;
  suspended: boolean;
};

export type Account = {
  name: string;
  email: string | null;
  shell: AccountShell;
  /** Name of the account's plan. */
  plan: string;
  status: AccountStatus;
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

/** The limits a plan sets. Every limit is an integer ≥ 0, or null for unlimited; 0 allows none. */
export type PlanLimitKey =
  'max_domains' | 'max_aliases' | 'max_databases' | 'max_cron_jobs' | 'disk_quota_mb';

export type PlanLimits = Record<PlanLimitKey, number | null>;

export type Plan = PlanLimits & {
  name: string;
  /** How many accounts are on this plan. */
  accounts: number;
  created_at: string;
  updated_at: string;
};

/** `max_aliases` is the most aliases on any one of the account's domains. */
export type PlanUsage = Partial<Record<Exclude<PlanLimitKey, 'disk_quota_mb'>, number>>;

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
