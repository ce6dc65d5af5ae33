import type { Role } from '@/types/api';

const seg = encodeURIComponent;
const filtered = (path: string, account: string) => `${path}?account=${seg(account)}`;

/** Which side of the panel a screen belongs to: what links point to and what may be done. */
export type Area = 'admin' | 'panel';

/** Every route of the SPA, so links and redirects never spell a path by hand. */
export const paths = {
  root: '/',
  login: '/login',
  admin: {
    home: '/admin',
    accounts: '/admin/accounts',
    account: (name: string) => `/admin/accounts/${seg(name)}`,
    plans: '/admin/plans',
    domains: '/admin/domains',
    /** The domains list filtered to one account. */
    domainsOf: (account: string) => filtered('/admin/domains', account),
    domain: (name: string) => `/admin/domains/${seg(name)}`,
    databases: '/admin/databases',
    databasesOf: (account: string) => filtered('/admin/databases', account),
    cronJobs: '/admin/cron-jobs',
    cronJobsOf: (account: string) => filtered('/admin/cron-jobs', account),
    dnsZones: '/admin/dns',
    dnsZonesOf: (account: string) => filtered('/admin/dns', account),
    dnsZone: (name: string) => `/admin/dns/${seg(name)}`,
    backups: '/admin/backups',
    files: '/admin/files',
    auditLog: '/admin/audit-log',
    vpn: '/admin/vpn',
    vpnServer: '/admin/vpn-server',
    panelCertificate: '/admin/panel-certificate',
    invoices: '/admin/invoices',
    resellers: '/admin/resellers',
    /** The signed-in administrator's or reseller's own panel password. */
    password: '/admin/password',
  },
  panel: {
    home: '/panel',
    domains: '/panel/domains',
    domain: (name: string) => `/panel/domains/${seg(name)}`,
    databases: '/panel/databases',
    cronJobs: '/panel/cron-jobs',
    sftp: '/panel/sftp',
    dnsZones: '/panel/dns',
    dnsZone: (name: string) => `/panel/dns/${seg(name)}`,
    vpn: '/panel/vpn',
    backups: '/panel/backups',
    invoices: '/panel/invoices',
    files: '/panel/files',
  },
} as const;

/** A reseller works in the administration app, scoped by the API to its accounts and plans. */
export function homePathFor(role: Role): string {
  if (role === 'admin') return paths.admin.home;
  return role === 'reseller' ? paths.admin.accounts : paths.panel.home;
}
