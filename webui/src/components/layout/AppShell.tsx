import { useEffect, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { Spinner } from '@/components/ui';
import { Icon, type IconName } from './Icon';
import { useNav } from './nav-store';

export type NavItem = { to: string; label: string; icon: IconName; end?: boolean };

type AppShellProps = {
  /** Names the area in the sidebar, e.g. "Administration". */
  area: string;
  nav: readonly NavItem[];
  userName: string;
  userRole: string;
  onSignOut: () => void;
  signingOut?: boolean;
  children: ReactNode;
};

export function AppShell({ area, nav, userName, userRole, onSignOut, signingOut, children }: AppShellProps) {
  const { open, setOpen, toggle } = useNav();
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, setOpen]);

  return (
    <div className={`shell${open ? ' shell--nav-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="topbar__menu"
          aria-expanded={open}
          aria-controls="sidebar"
          aria-label={open ? 'Close navigation' : 'Open navigation'}
          onClick={toggle}
        >
          <Icon name={open ? 'close' : 'menu'} />
        </button>
        <span className="brand brand--topbar">JoPanel</span>
      </header>

      <aside className="sidebar" id="sidebar">
        <div className="sidebar__brand">
          <span className="brand">JoPanel</span>
          <span className="sidebar__area">{area}</span>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink
                  to={item.to}
                  end={item.end ?? false}
                  className="nav__link"
                  onClick={() => setOpen(false)}
                >
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar__user">
          <div className="sidebar__who">
            <span className="sidebar__name">{userName}</span>
            <span className="sidebar__role">{userRole}</span>
          </div>
          <button type="button" className="sidebar__signout" onClick={onSignOut} disabled={signingOut}>
            {signingOut ? <Spinner size="sm" /> : <Icon name="logout" />}
            <span>Sign out</span>
          </button>
        </div>
      </aside>
      <div className="shell__scrim" aria-hidden="true" onClick={() => setOpen(false)} />

      <main className="main" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
