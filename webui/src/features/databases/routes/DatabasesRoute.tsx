import { useState } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import {
  Button,
  EmptyState,
  LoadingState,
  PageHeader,
  Pagination,
  Section,
  TextField,
} from '@/components/ui';
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
      {area === 'admin' ? (
        <div className="toolbar">
          <TextField
            label="Account"
            required={false}
            markOptional={false}
            placeholder="Any account"
            value={filter.input}
            onChange={(e) => filter.setInput(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
          />
        </div>
      ) : null}
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
  const data = list.data;
  const create = (label: string) => (
    <Button variant="primary" onClick={onCreate}>
      {label}
    </Button>
  );
  return (
    <Section title="Databases" action={create('Create database')}>
      {list.isPending ? (
        <LoadingState label="Loading databases…" />
      ) : list.isError ? (
        <ListLoadError
          what="databases"
          account={account}
          error={list.error}
          retry={() => void list.refetch()}
        />
      ) : data && data.items.length > 0 ? (
        <>
          <DatabasesTable databases={data.items} area={area} busy={list.isPlaceholderData} />
          <Pagination
            label="Databases pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={list.isFetching}
          />
        </>
      ) : account ? (
        <EmptyState title="No databases">Account {account} has no databases.</EmptyState>
      ) : (
        <EmptyState
          title="No databases yet"
          action={create(area === 'admin' ? 'Create a database' : 'Create your first database')}
        >
          A database holds a site’s data: WordPress, a shop, an application. Create one, then a user that may
          use it.
        </EmptyState>
      )}
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
  const data = list.data;
  return (
    <Section
      title="Database users"
      action={
        <Button variant="primary" onClick={onCreate}>
          Create user
        </Button>
      }
    >
      {list.isPending ? (
        <LoadingState label="Loading database users…" />
      ) : list.isError ? (
        <ListLoadError
          what="database users"
          account={account}
          error={list.error}
          retry={() => void list.refetch()}
        />
      ) : data && data.items.length > 0 ? (
        <>
          <DatabaseUsersTable users={data.items} area={area} busy={list.isPlaceholderData} />
          <Pagination
            label="Database users pages"
            page={pages.page}
            hasPrevious={pages.hasPrevious}
            hasNext={Boolean(data.next_page_token)}
            onPrevious={pages.previous}
            onNext={() => pages.next(data.next_page_token)}
            busy={list.isFetching}
          />
        </>
      ) : (
        <EmptyState title="No database users yet">
          {account
            ? `Account ${account} has no database users.`
            : 'A site logs in to its databases as a user.'}
        </EmptyState>
      )}
    </Section>
  );
}
