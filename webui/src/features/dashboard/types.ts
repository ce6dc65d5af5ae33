// The answer of GET /server (docs/api.md, "Server overview"); only the dashboard reads it.

export type Filesystem = { path: string; total_bytes: number; available_bytes: number };

export type ServerFacts = {
  hostname: string;
  kernel: string;
  uptime_seconds: number;
  cpus: number;
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number];
  memory_total_bytes: number;
  memory_available_bytes: number;
  /** /, /home, /var: each mount the server reports. */
  filesystems: Filesystem[];
  /**
   * Whether /home enforces user quotas, which plans' disk quotas need: without them, creating an
   * account on a plan with a disk quota is refused (409).
   */
  disk_quotas_enforced: boolean;
};

export type ResourceCounts = {
  accounts: number;
  domains: number;
  databases: number;
  cron_jobs: number;
  dns_zones: number;
};

export type ServerOverview = { server: ServerFacts; counts: ResourceCounts };

// The reconcile's report (docs/api.md, "Reconcile"; docs/reconcile.md).

export type ReconcileResource =
  'account' | 'domain' | 'database' | 'database_user' | 'cron_job' | 'dns_zone' | 'dns_record';

export type ReconcileFinding = {
  resource: ReconcileResource;
  /** A cron job's id; "zone/id" for a DNS record. */
  name: string;
  account: string | null;
  /** What differed between the record and the system. */
  difference: string;
  outcome: 'repaired' | 'drift' | 'failed' | 'in_progress';
  /** What was done, or why nothing was. */
  action: string;
};

export type ReconcileSummary = {
  resource: ReconcileResource;
  checked: number;
  repaired: number;
  drift: number;
  failed: number;
};

export type ReconcileReport = {
  started_at: string;
  finished_at: string;
  /** start: at the gateway's start; request: someone asked; recovery: after an agent call broke off. */
  trigger: 'start' | 'request' | 'recovery';
  actor: string;
  resources: ReconcileSummary[];
  findings: ReconcileFinding[];
};

export type ReconcileState = { running: boolean; last: ReconcileReport | null };
