import { AccountStatusBadge } from '@/components/AccountStatusBadge';
import { Alert, Card, FactList } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import type { Account } from '@/types/api';

const SHELL_TEXT: Record<Account['shell'], string> = {
  nologin: 'No shell access',
  bash: 'bash',
  sh: 'sh',
};

export function AccountOverview({ account }: { account: Account }) {
  const system = account.system;
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
              { term: 'Shell', value: SHELL_TEXT[account.shell] ?? account.shell },
              { term: 'Email', value: account.email ?? <span className="muted">None</span> },
              {
                term: 'Since',
                value: <time dateTime={account.created_at}>{formatDateTime(account.created_at)}</time>,
              },
            ]}
          />
        </Card>
        <Card title="On the server">
          {system ? (
            <FactList
              facts={[
                { term: 'Home directory', value: <code>{system.home}</code> },
                { term: 'User ID', value: system.uid },
                { term: 'Group ID', value: system.gid },
              ]}
            />
          ) : (
            <p className="muted">Server details are not available right now.</p>
          )}
        </Card>
      </div>
    </div>
  );
}
