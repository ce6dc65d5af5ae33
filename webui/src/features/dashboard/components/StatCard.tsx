import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Spinner } from '@/components/ui';

type StatCardProps = {
  label: string;
  value: ReactNode;
  loading?: boolean;
  link?: { to: string; label: string };
};

export function StatCard({ label, value, loading, link }: StatCardProps) {
  return (
    <div className="stat">
      <p className="stat__label">{label}</p>
      <p className="stat__value">{loading ? <Spinner label={`Loading ${label.toLowerCase()}…`} /> : value}</p>
      {link ? (
        <Link className="stat__link" to={link.to}>
          {link.label} →
        </Link>
      ) : null}
    </div>
  );
}
