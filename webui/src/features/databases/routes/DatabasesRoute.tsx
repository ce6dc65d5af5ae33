import { useState } from 'react';
import { AccountFilterField, PagedList } from '@/components/PagedList';
import { Button, EmptyState, PageHeader, Section } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useAccountFilter } from '@/lib/use-account-filter';
import { usePageTokens } from '@/lib/use-page-tokens';
import { useDatabaseUsers } from '../api/list-database-users';
import { useDatabases } from '../api/list-databases';
import { CreateDatabaseDialog } from '../components/CreateDatabaseDialog';
import { CreateDatabaseUserDialog } from '../components/CreateDatabaseUserDialog';
import { DatabasesTable } from '../components/DatabasesTable';
import { DatabaseUsersTable } from '../components/DatabaseUsersTable';

const PAGE_SIZE = 50;

/** Databases and their users on one page, as people set them up together. */
export function DatabasesRoute({ area }: { area: Area }) {
  const filter = useAccountFilter(area);
  const [creating, setCreating] = useState<'database' | 'user' | null>(null);

  return (
    <>
      <PageHeader
        title="Databases"
        description={
          area === 'admin'
            ? 'MariaDB databases and users of every account.'
            : 'MariaDB databases for your sites. Sites connect as a database user, at localhost or 127.0.0.1.'
        }
      />
      {area === 'admin' ? <AccountFilterField filter={filter} /> : null}
      <div className="stack">
        <DatabasesSection area={area} account={filter.account} onCreate={() => setCreating('database')} />
        <UsersSection area={area} account={filter.account} onCreate={() => setCreating('user')} />
      </div>
      <CreateDatabaseDialog
        open={creating === 'database'}
        onClose={() => setCreating(null)}
        area={area}
        account={filter.account}
      />
      <CreateDatabaseUserDialog
        open={creating === 'user'}
        onClose={() => setCreating(null)}
        area={area}
        account={filter.account}
      />
    </>
  );
}

type SectionProps = { area: Area; account: string; onCreate: () => void };

function DatabasesSection({ area, account, onCreate }: SectionProps) {
  const pages = usePageTokens(account);
  const list = useDatabases({ account: account || undefined, pageToken: pages.pageToken, limit: PAGE_SIZE });
  const create = (label: string) => (
    <Button variant="primary" onClick={onCreate}>
      {label}
    </Button>
  );
  return (
    <Section title="Databases" action={create('Create database')}>
      <PagedList
        what="databases"
        title="Databases"
        account={account}
        query={list}
        pages={pages}
        renderTable={(items, busy) => <DatabasesTable databases={items} area={area} busy={busy} />}
        empty={
          <EmptyState
            title="No databases yet"
            action={create(area === 'admin' ? 'Create a database' : 'Create your first database')}
          >
            A database holds a site’s data: WordPress, a shop, an application. Create one, then a user that
            may use it.
          </EmptyState>
        }
      />
    </Section>
  );
}

function UsersSection({ area, account, onCreate }: SectionProps) {
  const pages = usePageTokens(account);
  const list = useDatabaseUsers({
    account: account || undefined,
    pageToken: pages.pageToken,
    limit: PAGE_SIZE,
  });
  return (
    <Section
      title="Database users"
      action={
        <Button variant="primary" onClick={onCreate}>
          Create user
        </Button>
      }
    >
      <PagedList
        what="database users"
        title="Database users"
        account={account}
        query={list}
        pages={pages}
        renderTable={(items, busy) => <DatabaseUsersTable users={items} area={area} busy={busy} />}
        empty={
          <EmptyState title="No database users yet">A site logs in to its databases as a user.</EmptyState>
        }
      />
    </Section>
  );
}
