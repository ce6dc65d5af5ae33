import type { Role } from '@/types/api';

const seg = encodeURIComponent;

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
    domainsOf: (account: string) => `/admin/domains?account=${seg(account)}`,
    domain: (name: string) => `/admin/domains/${seg(name)}`,
    auditLog: '/admin/audit-log',
  },
  panel: {
    home: '/panel',
    domains: '/panel/domains',
    domain: (name: string) => `/panel/domains/${seg(name)}`,
  },
} as const;

export function homePathFor(role: Role): string {
  return role === 'admin' ? paths.admin.home : paths.panel.home;
}
