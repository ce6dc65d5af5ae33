import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import type { NavItem } from '@/components/layout/AppShell';
import { paths } from '@/config/paths';
import { LoginRoute } from '@/features/auth/routes/LoginRoute';
import { AreaLayout } from './routes/AreaLayout';
import { HomeRedirect, RequireRole } from './routes/guards';
import { NotFoundRoute } from './routes/NotFoundRoute';

// Each area's pages load on first visit, so an owner never downloads the admin screens.
const DashboardRoute = lazy(() =>
  import('@/features/dashboard/routes/DashboardRoute').then((m) => ({ default: m.DashboardRoute })),
);
const AccountsRoute = lazy(() =>
  import('@/features/accounts/routes/AccountsRoute').then((m) => ({ default: m.AccountsRoute })),
);
const AccountRoute = lazy(() =>
  import('@/features/accounts/routes/AccountRoute').then((m) => ({ default: m.AccountRoute })),
);
const PlansRoute = lazy(() =>
  import('@/features/plans/routes/PlansRoute').then((m) => ({ default: m.PlansRoute })),
);
const DomainsRoute = lazy(() =>
  import('@/features/domains/routes/DomainsRoute').then((m) => ({ default: m.DomainsRoute })),
);
const DomainRoute = lazy(() =>
  import('@/features/domains/routes/DomainRoute').then((m) => ({ default: m.DomainRoute })),
);
const DatabasesRoute = lazy(() =>
  import('@/features/databases/routes/DatabasesRoute').then((m) => ({ default: m.DatabasesRoute })),
);
const CronJobsRoute = lazy(() =>
  import('@/features/cron-jobs/routes/CronJobsRoute').then((m) => ({ default: m.CronJobsRoute })),
);
const DnsZonesRoute = lazy(() =>
  import('@/features/dns/routes/DnsZonesRoute').then((m) => ({ default: m.DnsZonesRoute })),
);
const DnsZoneRoute = lazy(() =>
  import('@/features/dns/routes/DnsZoneRoute').then((m) => ({ default: m.DnsZoneRoute })),
);
const BackupsRoute = lazy(() =>
  import('@/features/backups/routes/BackupsRoute').then((m) => ({ default: m.BackupsRoute })),
);
const FilesRoute = lazy(() =>
  import('@/features/files/routes/FilesRoute').then((m) => ({ default: m.FilesRoute })),
);
const AuditLogRoute = lazy(() =>
  import('@/features/audit-log/routes/AuditLogRoute').then((m) => ({ default: m.AuditLogRoute })),
);
const VpnClientsRoute = lazy(() =>
  import('@/features/vpn/routes/VpnClientsRoute').then((m) => ({ default: m.VpnClientsRoute })),
);
const SftpRoute = lazy(() =>
  import('@/features/sftp/routes/SftpRoute').then((m) => ({ default: m.SftpRoute })),
);
const PanelOverviewRoute = lazy(() =>
  import('@/features/me/routes/PanelOverviewRoute').then((m) => ({ default: m.PanelOverviewRoute })),
);

const ADMIN_NAV: readonly NavItem[] = [
  { to: paths.admin.home, label: 'Dashboard', icon: 'dashboard', end: true },
  { to: paths.admin.accounts, label: 'Accounts', icon: 'accounts' },
  { to: paths.admin.plans, label: 'Plans', icon: 'plans' },
  { to: paths.admin.domains, label: 'Domains', icon: 'domains' },
  { to: paths.admin.databases, label: 'Databases', icon: 'databases' },
  { to: paths.admin.cronJobs, label: 'Cron jobs', icon: 'cron' },
  { to: paths.admin.dnsZones, label: 'DNS', icon: 'dns' },
  { to: paths.admin.vpn, label: 'VPN', icon: 'vpn' },
  { to: paths.admin.files, label: 'File manager', icon: 'files' },
  { to: paths.admin.backups, label: 'Backups', icon: 'backups' },
  { to: paths.admin.auditLog, label: 'Audit log', icon: 'audit' },
];

const PANEL_NAV: readonly NavItem[] = [
  { to: paths.panel.home, label: 'Overview', icon: 'home', end: true },
  { to: paths.panel.domains, label: 'Domains', icon: 'domains' },
  { to: paths.panel.databases, label: 'Databases', icon: 'databases' },
  { to: paths.panel.cronJobs, label: 'Cron jobs', icon: 'cron' },
  { to: paths.panel.dnsZones, label: 'DNS', icon: 'dns' },
  { to: paths.panel.vpn, label: 'VPN', icon: 'vpn' },
  { to: paths.panel.sftp, label: 'SFTP and passwords', icon: 'key' },
  { to: paths.panel.files, label: 'File manager', icon: 'files' },
  { to: paths.panel.backups, label: 'Backups', icon: 'backups' },
];

export function AppRoutes() {
  return (
    <Routes>
      <Route path={paths.root} element={<HomeRedirect />} />
      <Route path={paths.login} element={<LoginRoute />} />
      <Route
        path={paths.admin.home}
        element={
          <RequireRole role="admin">
            <AreaLayout area="Administration" nav={ADMIN_NAV} />
          </RequireRole>
        }
      >
        <Route index element={<DashboardRoute />} />
        <Route path="accounts" element={<AccountsRoute />} />
        <Route path="accounts/:name" element={<AccountRoute />} />
        <Route path="plans" element={<PlansRoute />} />
        <Route path="domains" element={<DomainsRoute area="admin" />} />
        <Route path="domains/:name" element={<DomainRoute area="admin" />} />
        <Route path="databases" element={<DatabasesRoute area="admin" />} />
        <Route path="cron-jobs" element={<CronJobsRoute area="admin" />} />
        <Route path="backups" element={<BackupsRoute area="admin" />} />
        <Route path="files" element={<FilesRoute area="admin" />} />
        <Route path="dns" element={<DnsZonesRoute area="admin" />} />
        <Route path="dns/:zone" element={<DnsZoneRoute area="admin" />} />
        <Route path="audit-log" element={<AuditLogRoute />} />
        <Route path="vpn" element={<VpnClientsRoute area="admin" />} />
        <Route path="*" element={<NotFoundRoute />} />
      </Route>
      <Route
        path={paths.panel.home}
        element={
          <RequireRole role="owner">
            <AreaLayout area="Hosting panel" nav={PANEL_NAV} />
          </RequireRole>
        }
      >
        <Route index element={<PanelOverviewRoute />} />
        <Route path="domains" element={<DomainsRoute area="panel" />} />
        <Route path="domains/:name" element={<DomainRoute area="panel" />} />
        <Route path="databases" element={<DatabasesRoute area="panel" />} />
        <Route path="cron-jobs" element={<CronJobsRoute area="panel" />} />
        <Route path="backups" element={<BackupsRoute area="panel" />} />
        <Route path="files" element={<FilesRoute area="panel" />} />
        <Route path="dns" element={<DnsZonesRoute area="panel" />} />
        <Route path="dns/:zone" element={<DnsZoneRoute area="panel" />} />
        <Route path="vpn" element={<VpnClientsRoute area="panel" />} />
        <Route path="sftp" element={<SftpRoute />} />
        <Route path="*" element={<NotFoundRoute />} />
      </Route>
      <Route path="*" element={<NotFoundRoute />} />
    </Routes>
  );
}
