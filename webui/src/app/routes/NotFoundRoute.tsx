import { Link } from 'react-router';
import { EmptyState } from '@/components/ui';
import { paths } from '@/config/paths';

export function NotFoundRoute() {
  return (
    <div className="not-found">
      <h1 className="visually-hidden">Page not found</h1>
      <EmptyState title="Page not found" action={<Link to={paths.root}>Go to the start page</Link>}>
        There is nothing at this address.
      </EmptyState>
    </div>
  );
}
