import { Navigate, useLocation } from 'react-router';
import { Alert } from '@/components/ui';
import { homePathFor } from '@/config/paths';
import { useSession } from '@/lib/session';
import { LoginForm } from '../components/LoginForm';

type FromState = { from?: string } | null;

export function LoginRoute() {
  const user = useSession((s) => s.user);
  const endReason = useSession((s) => s.endReason);
  const location = useLocation();

  if (user) {
    // Back to where an expired session left off, but only inside this user's own area.
    const home = homePathFor(user.role);
    const from = (location.state as FromState)?.from;
    return <Navigate to={from?.startsWith(home) ? from : home} replace />;
  }

  return (
    <div className="login">
      <div className="login__panel">
        <div className="login__brand">
          <span className="brand brand--large">JoPanel</span>
          <p className="login__tagline">Hosting control panel</p>
        </div>
        <h1 className="login__title">Sign in</h1>
        {endReason === 'expired' ? (
          <Alert tone="warning">Your session has ended. Sign in again to continue.</Alert>
        ) : null}
        <LoginForm />
      </div>
    </div>
  );
}
