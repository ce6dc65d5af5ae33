import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { AppShell, type NavItem } from '@/components/layout/AppShell';
import { LoadingState } from '@/components/ui';
import { useLogout } from '@/features/auth/api/logout';
import { ROLE_NAMES } from '@/lib/role-names';
import { useSession } from '@/lib/session';

type AreaLayoutProps = {
  area: string;
  nav: readonly NavItem[];
  /** The navigation for a reseller, where the area admits one. */
  resellerNav?: readonly NavItem[];
};

export function AreaLayout({ area, nav, resellerNav }: AreaLayoutProps) {
  const user = useSession((s) => s.user);
  const reseller = user?.role === 'reseller';
  const logout = useLogout();

  return (
    <AppShell
      area={reseller ? 'Reseller' : area}
      nav={reseller && resellerNav ? resellerNav : nav}
      userName={user?.name ?? ''}
      userRole={ROLE_NAMES[user?.role ?? 'owner']}
      onSignOut={() => logout.mutate()}
      signingOut={logout.isPending}
    >
      <Suspense fallback={<LoadingState />}>
        <Outlet />
      </Suspense>
    </AppShell>
  );
}
