// The API's shapes that more than one feature reads, named for the web UI. They are the
// generated types of the OpenAPI document (types/openapi.ts, scripts/openapi.sh), never copies:
// a change of the API changes them, and tsc finds every use it breaks. A type used by a single
// feature lives in that feature, taken from the generated file the same way.
import type { components } from './openapi';

/** The document's schemas, by name (components/schemas). */
export type Schemas = components['schemas'];

export type Role = Schemas['Me']['role'];

export type AccountShell = Schemas['Account']['shell'];
export const ACCOUNT_SHELLS: readonly AccountShell[] = ['nologin', 'bash', 'sh'];

export type AccountStatus = Schemas['Account']['status'];

/**
 * What the account's files take under the server's user quotas on /home. A server whose /home
 * has no user quotas does not enforce them (`enforced` false), and then knows no figure.
 */
export type DiskUsage = Schemas['DiskUsage'];

/** The agent's live view of the account; null while the agent cannot answer a list. */
export type AccountSystem = Schemas['SystemAccount'];

/** Who suspended an account or a domain, and why (`user` is null for owners when an administrator did it). */
export type Suspension = Schemas['SuspensionInfo'];

export type Account = Schemas['Account'];

export type Me = Schemas['Me'];

/**
 * The limits a plan sets. Each is an integer ≥ 0, or null for unlimited; 0 allows none. Except
 * `disk_quota_mb` (MiB) and `inode_quota` (files, folders and links): ≥ 1 or null.
 */
/** A plan's backup settings (schedule, retention): not limits on what an account holds. */
export type PlanBackupKey =
  | 'backup_schedule'
  | 'backup_keep_daily'
  | 'backup_keep_weekly'
  | 'backup_keep_monthly'
  | 'backup_repository';
export type PlanLimitKey = Exclude<keyof Schemas['PlanLimits'], PlanBackupKey | PlanSettingKey>;

export type PlanLimits = Record<PlanLimitKey, number | null>;

/** What a plan switches on or off rather than counts: a shell over SSH (docs/sftp.md), PHP
 * kept to the homes and static PHP pools granted (docs/web.md, open_basedir per plan, Static
 * pools per plan). */
export type PlanSettingKey = 'ssh_shell' | 'php_open_basedir' | 'php_static_pools';

export type PlanSettings = Record<PlanSettingKey, boolean>;

export type Plan = Schemas['Plan'];

/** What the account uses of each counted limit (absent: not counted). */
export type PlanUsage = Partial<Record<PlanLimitKey, number>>;

/** Answer of POST /auth/login and POST /auth/refresh. */
export type AuthResponse = Schemas['Session'];

/** A new password confirmed by the current panel password (POST /me/password, /me/system-password). */
export type PasswordChange = Schemas['PasswordChange'];

/** Every list answers a page of its items (AccountPage, DomainPage, ...). */
export type Page<T> = {
  items: T[];
  next_page_token: string | null;
};

export type PageParams = {
  limit?: number;
  page_token?: string | undefined;
};
