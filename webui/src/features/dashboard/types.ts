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
