import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { AppShell, type NavItem } from '@/components/layout/AppShell';
import { LoadingState } from '@/components/ui';
import { useLogout } from '@/features/auth/api/logout';
import { useSession } from '@/lib/session';

type AreaLayoutProps = { area: string; nav: readonly NavItem[] };

export function AreaLayout({ area, nav }: AreaLayoutProps) {
  const user = useSession((s) => s.user);
  const logout = useLogout();

  return (
    <AppShell
      area={area}
      nav={nav}
      userName={user?.name ?? ''}
      userRole={user?.role === 'admin' ? 'Administrator' : 'Account owner'}
      onSignOut={() => logout.mutate()}
      signingOut={logout.isPending}
    >
      <Suspense fallback={<LoadingState />}>
        <Outlet />
      </Suspense>
    </AppShell>
  );
}
