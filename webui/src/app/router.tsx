import { lazy, Suspense, type ReactNode } from 'react';
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
const VpnServerRoute = lazy(() =>
  import('@/features/vpn/routes/VpnServerRoute').then((m) => ({ default: m.VpnServerRoute })),
);
const InvoicesRoute = lazy(() =>
  import('@/features/invoices/routes/InvoicesRoute').then((m) => ({ default: m.InvoicesRoute })),
);
const SftpRoute = lazy(() =>
  import('@/features/sftp/routes/SftpRoute').then((m) => ({ default: m.SftpRoute })),
);
const ResellersRoute = lazy(() =>
  import('@/features/resellers/routes/ResellersRoute').then((m) => ({ default: m.ResellersRoute })),
);
const PanelCertificateRoute = lazy(() =>
  import('@/features/server-certificate/routes/PanelCertificateRoute').then((m) => ({
    default: m.PanelCertificateRoute,
  })),
);
const PasswordRoute = lazy(() =>
  import('@/features/password/routes/PasswordRoute').then((m) => ({ default: m.PasswordRoute })),
);
const PanelOverviewRoute = lazy(() =>
  import('@/features/me/routes/PanelOverviewRoute').then((m) => ({ default: m.PanelOverviewRoute })),
);

const PhpPoolCard = lazy(() =>
  import('@/features/php-pool/components/PhpPoolCard').then((m) => ({ default: m.PhpPoolCard })),
);
const ChargesCard = lazy(() =>
  import('@/features/charges/components/ChargesCard').then((m) => ({ default: m.ChargesCard })),
);
const PanelPasswordForm = lazy(() =>
  import('@/features/password/components/PanelPasswordForm').then((m) => ({
    default: m.PanelPasswordForm,
  })),
);

// A card loads on its own: the page around it shows while its code arrives.
const adminAccountCards = (account: string) => (
  <Suspense fallback={null}>
    <PhpPoolCard account={account} area="admin" />
  </Suspense>
);
// Beside the account's Billing card, which only administrators are shown.
const adminBillingCards = (account: string) => (
  <Suspense fallback={null}>
    <ChargesCard account={account} area="admin" />
  </Suspense>
);
const ownAccountCards = (account: string) => (
  <>
    <Suspense fallback={null}>
      <PhpPoolCard account={account} area="panel" />
    </Suspense>
    <Suspense fallback={null}>
      <ChargesCard account={account} area="panel" />
    </Suspense>
  </>
);
// One panel password form for every role: the owner's SFTP page holds it too.
const panelPasswordForm = (
  <Suspense fallback={null}>
    <PanelPasswordForm />
  </Suspense>
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
  { to: paths.admin.vpnServer, label: 'VPN server', icon: 'server' },
  { to: paths.admin.panelCertificate, label: 'Panel certificate', icon: 'key' },
  { to: paths.admin.files, label: 'File manager', icon: 'files' },
  { to: paths.admin.backups, label: 'Backups', icon: 'backups' },
  { to: paths.admin.invoices, label: 'Invoices', icon: 'invoices' },
  { to: paths.admin.resellers, label: 'Resellers', icon: 'accounts' },
  { to: paths.admin.auditLog, label: 'Audit log', icon: 'audit' },
  { to: paths.admin.password, label: 'Your password', icon: 'key' },
];

// A reseller works in the administration app; the API scopes every list to its accounts and
// plans, and it is shown no screen that only administrators may open (docs/resellers.md).
const RESELLER_NAV: readonly NavItem[] = [
  { to: paths.admin.accounts, label: 'Accounts', icon: 'accounts' },
  { to: paths.admin.plans, label: 'Plans', icon: 'plans' },
  { to: paths.admin.domains, label: 'Domains', icon: 'domains' },
  { to: paths.admin.databases, label: 'Databases', icon: 'databases' },
  { to: paths.admin.cronJobs, label: 'Cron jobs', icon: 'cron' },
  { to: paths.admin.dnsZones, label: 'DNS', icon: 'dns' },
  { to: paths.admin.files, label: 'File manager', icon: 'files' },
  { to: paths.admin.backups, label: 'Backups', icon: 'backups' },
  { to: paths.admin.password, label: 'Your password', icon: 'key' },
];

/** Administrators only, inside the administration app a reseller shares. */
function AdminOnly({ children }: { children: ReactNode }) {
  return <RequireRole role="admin">{children}</RequireRole>;
}

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
  { to: paths.panel.invoices, label: 'Invoices', icon: 'invoices' },
];

export function AppRoutes() {
  return (
    <Routes>
      <Route path={paths.root} element={<HomeRedirect />} />
      <Route path={paths.login} element={<LoginRoute />} />
      <Route
        path={paths.admin.home}
        element={
          <RequireRole role={['admin', 'reseller']}>
            <AreaLayout area="Administration" nav={ADMIN_NAV} resellerNav={RESELLER_NAV} />
          </RequireRole>
        }
      >
        <Route
          index
          element={
            <AdminOnly>
              <DashboardRoute />
            </AdminOnly>
          }
        />
        <Route path="accounts" element={<AccountsRoute />} />
        <Route
          path="accounts/:name"
          element={<AccountRoute cards={adminAccountCards} billingCards={adminBillingCards} />}
        />
        <Route path="plans" element={<PlansRoute />} />
        <Route path="domains" element={<DomainsRoute area="admin" />} />
        <Route path="domains/:name" element={<DomainRoute area="admin" />} />
        <Route path="databases" element={<DatabasesRoute area="admin" />} />
        <Route path="cron-jobs" element={<CronJobsRoute area="admin" />} />
        <Route path="backups" element={<BackupsRoute area="admin" />} />
        <Route path="files" element={<FilesRoute area="admin" />} />
        <Route path="dns" element={<DnsZonesRoute area="admin" />} />
        <Route path="dns/:zone" element={<DnsZoneRoute area="admin" />} />
        <Route
          path="audit-log"
          element={
            <AdminOnly>
              <AuditLogRoute />
            </AdminOnly>
          }
        />
        <Route
          path="vpn"
          element={
            <AdminOnly>
              <VpnClientsRoute area="admin" />
            </AdminOnly>
          }
        />
        <Route
          path="resellers"
          element={
            <AdminOnly>
              <ResellersRoute />
            </AdminOnly>
          }
        />
        <Route
          path="vpn-server"
          element={
            <AdminOnly>
              <VpnServerRoute />
            </AdminOnly>
          }
        />
        <Route
          path="panel-certificate"
          element={
            <AdminOnly>
              <PanelCertificateRoute />
            </AdminOnly>
          }
        />
        <Route
          path="invoices"
          element={
            <AdminOnly>
              <InvoicesRoute area="admin" />
            </AdminOnly>
          }
        />
        <Route path="password" element={<PasswordRoute />} />
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
        <Route index element={<PanelOverviewRoute cards={ownAccountCards} />} />
        <Route path="domains" element={<DomainsRoute area="panel" />} />
        <Route path="domains/:name" element={<DomainRoute area="panel" />} />
        <Route path="databases" element={<DatabasesRoute area="panel" />} />
        <Route path="cron-jobs" element={<CronJobsRoute area="panel" />} />
        <Route path="backups" element={<BackupsRoute area="panel" />} />
        <Route path="files" element={<FilesRoute area="panel" />} />
        <Route path="dns" element={<DnsZonesRoute area="panel" />} />
        <Route path="dns/:zone" element={<DnsZoneRoute area="panel" />} />
        <Route path="vpn" element={<VpnClientsRoute area="panel" />} />
        <Route path="sftp" element={<SftpRoute panelPassword={panelPasswordForm} />} />
        <Route path="invoices" element={<InvoicesRoute area="panel" />} />
        <Route path="*" element={<NotFoundRoute />} />
      </Route>
      <Route path="*" element={<NotFoundRoute />} />
    </Routes>
  );
}
