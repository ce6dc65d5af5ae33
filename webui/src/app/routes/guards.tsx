import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { homePathFor, paths } from '@/config/paths';
import { useSession } from '@/lib/session';
import type { Role } from '@/types/api';

/** Lets only signed-in users of `role` (or one of the roles) through; others go to /login or
 * to their own area. */
export function RequireRole({ role, children }: { role: Role | readonly Role[]; children: ReactNode }) {
  const user = useSession((s) => s.user);
  const endReason = useSession((s) => s.endReason);
  const location = useLocation();

  if (!user) {
    // Only a session that ran out is worth coming back to; a signed-out one starts fresh.
    const state = endReason === 'logout' ? undefined : { from: location.pathname + location.search };
    return <Navigate to={paths.login} state={state} replace />;
  }
  const allowed = typeof role === 'string' ? [role] : role;
  if (!allowed.includes(user.role)) return <Navigate to={homePathFor(user.role)} replace />;
  return children;
}

/** "/" has no page of its own: it sends each user to their area. */
export function HomeRedirect() {
  const user = useSession((s) => s.user);
  return <Navigate to={user ? homePathFor(user.role) : paths.login} replace />;
}
