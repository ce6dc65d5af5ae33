import type { Role } from '@/types/api';

/** Every route of the SPA, so links and redirects never spell a path by hand. */
export const paths = {
  root: '/',
  login: '/login',
  admin: {
    home: '/admin',
    accounts: '/admin/accounts',
    account: (name: string) => `/admin/accounts/${encodeURIComponent(name)}`,
    auditLog: '/admin/audit-log',
  },
  panel: {
    home: '/panel',
  },
} as const;

export function homePathFor(role: Role): string {
  return role === 'admin' ? paths.admin.home : paths.panel.home;
}
