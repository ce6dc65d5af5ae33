import { AccountStatusBadge } from '@/components/AccountStatusBadge';
import { Alert, Button, Card, FactList, Spinner } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import type { Account } from '@/types/api';
import { useOwnAccount } from '../api/get-own-account';

const SHELL_TEXT: Record<Account['shell'], string> = {
  nologin: 'No shell access',
  bash: 'bash',
  sh: 'sh',
};

export function AccountOverview({ account }: { account: Account }) {
  return (
    <div className="stack">
      {account.status === 'suspended' ? (
        <Alert tone="warning" title="This account is suspended">
          Your sites are offline and logins are blocked. Contact your hosting provider.
        </Alert>
      ) : null}
      {account.status === 'pending' ? (
        <Alert tone="info" title="This account is being set up">
          It will be ready in a moment.
        </Alert>
      ) : null}
      <div className="grid grid--2">
        <Card title="Account">
          <FactList
            facts={[
              { term: 'Name', value: account.name },
              { term: 'Status', value: <AccountStatusBadge status={account.status} /> },
              { term: 'Email', value: account.email ?? <span className="muted">None</span> },
              {
                term: 'Since',
                value: <time dateTime={account.created_at}>{formatDateTime(account.created_at)}</time>,
              },
            ]}
          />
        </Card>
        <ServerCard account={account} />
      </div>
    </div>
  );
}

/** Home, user ID and shell as the server has them: GET /accounts/{own name}, not GET /me. */
function ServerCard({ account }: { account: Account }) {
  const live = useOwnAccount(account.name);
  // /me may already carry `system` (older gateways did); the live answer wins.
  const current = live.data ?? account;
  const system = current.system;
  return (
    <Card title="On the server">
      {live.isPending && !system ? (
        <Spinner label="Loading server details…" />
      ) : system ? (
        <FactList
          facts={[
            { term: 'Home directory', value: <code>{system.home}</code> },
            { term: 'User ID', value: system.uid },
            { term: 'Group ID', value: system.gid },
            { term: 'Shell', value: SHELL_TEXT[current.shell] ?? current.shell },
          ]}
        />
      ) : (
        <div className="stack">
          <p className="muted">
            {live.isError
              ? 'Server details could not be loaded.'
              : 'Server details are not available right now.'}
          </p>
          {live.isError ? (
            <div>
              <Button size="sm" onClick={() => void live.refetch()}>
                Try again
              </Button>
            </div>
          ) : null}
        </div>
      )}
    </Card>
  );
}
