import { useMemo, useState, type FormEvent } from 'react';
import { ListLoadError } from '@/components/ListLoadError';
import {
  Alert,
  Button,
  Dialog,
  EmptyState,
  LoadingState,
  PasswordField,
  Section,
  Select,
  Table,
  TextField,
  type Column,
} from '@/components/ui';
import { isApiError } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';
import { useRepositoryAccounts } from '../api/list-repository-accounts';
import { useRestoreAccount } from '../api/restore-account';
import type { Job, RepositoryAccount } from '../types';

type Props = { onStarted: (job: Job) => void };

/** Administrators: accounts a repository holds backups of that this server does not know
 * (another server's, or deleted here), each restorable as a whole onto this server. */
export function RepositoryAccounts({ onStarted }: Props) {
  const [repository, setRepository] = useState('');
  const accounts = useRepositoryAccounts(repository);
  const [restoring, setRestoring] = useState<RepositoryAccount | null>(null);
  const columns = useMemo(() => columnsFor(setRestoring), []);

  return (
    <Section title="Accounts not on this server">
      <div className="toolbar">
        <TextField
          label="Repository"
          required={false}
          markOptional={false}
          placeholder="This server’s own"
          value={repository}
          onChange={(e) => setRepository(e.target.value.trim())}
          autoCapitalize="off"
          spellCheck={false}
        />
      </div>
      {accounts.isPending ? (
        <LoadingState label="Loading the repository’s accounts…" />
      ) : accounts.isError ? (
        <ListLoadError what="accounts" error={accounts.error} retry={() => void accounts.refetch()} />
      ) : accounts.data.items.length > 0 ? (
        <Table
          caption="Accounts not on this server"
          columns={columns}
          rows={accounts.data.items}
          rowKey={(a) => `${a.account}:${a.uid}`}
        />
      ) : (
        <EmptyState title="None">
          Every account this repository holds backups of is on this server.
        </EmptyState>
      )}
      <AccountRestoreDialog
        listed={restoring}
        repository={repository}
        onClose={() => setRestoring(null)}
        onStarted={(job) => {
          setRestoring(null);
          onStarted(job);
        }}
      />
    </Section>
  );
}

function columnsFor(onRestore: (account: RepositoryAccount) => void): Column<RepositoryAccount>[] {
  return [
    { key: 'account', header: 'Account', cell: (a) => a.account },
    {
      key: 'latest',
      header: 'Latest backup',
      cell: (a) => (a.backups[0] ? formatDateTime(a.backups[0].time) : 'None'),
    },
    {
      key: 'state',
      header: 'Here',
      secondary: true,
      cell: (a) => (a.name_taken ? 'Name taken by another account' : 'Free'),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'end',
      cell: (a) => (
        <Button
          size="sm"
          disabled={a.name_taken || a.backups.length === 0}
          onClick={() => onRestore(a)}
          aria-label={`Restore account ${a.account}`}
        >
          Restore…
        </Button>
      ),
    },
  ];
}

type DialogProps = {
  listed: RepositoryAccount | null;
  repository: string;
  onClose: () => void;
  onStarted: (job: Job) => void;
};

function AccountRestoreDialog({ listed, repository, onClose, onStarted }: DialogProps) {
  const mutation = useRestoreAccount();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog
      open={listed !== null}
      onClose={close}
      title={listed ? `Restore account ${listed.account}` : 'Restore account'}
      description="The account is made here with its sites, databases and database users, then its files, databases, cron jobs and DNS zones are restored."
    >
      {listed ? (
        <AccountRestoreForm
          listed={listed}
          repository={repository}
          mutation={mutation}
          onCancel={close}
          onStarted={(job) => {
            mutation.reset();
            onStarted(job);
          }}
        />
      ) : null}
    </Dialog>
  );
}

type FormProps = {
  listed: RepositoryAccount;
  repository: string;
  mutation: ReturnType<typeof useRestoreAccount>;
  onCancel: () => void;
  onStarted: (job: Job) => void;
};

function AccountRestoreForm({ listed, repository, mutation, onCancel, onStarted }: FormProps) {
  const [backupId, setBackupId] = useState(listed.backups[0]?.id ?? '');
  const [plan, setPlan] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState(false);
  const serverErrors = isApiError(mutation.error) ? mutation.error.fieldErrors : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!password) {
      setMissing(true);
      return;
    }
    mutation.mutate(
      { account: listed.account, uid: listed.uid, backupId, repository, plan: plan.trim(), password },
      { onSuccess: onStarted },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="form">
      <Select
        label="Backup"
        value={backupId}
        onChange={(e) => setBackupId(e.target.value)}
        options={listed.backups.map((b) => ({ value: b.id, label: formatDateTime(b.time) }))}
      />
      <TextField
        label="Plan"
        required={false}
        value={plan}
        onChange={(e) => setPlan(e.target.value)}
        hint="Empty: the plan of the same name as the account had."
        error={serverErrors.plan}
        autoCapitalize="off"
        spellCheck={false}
      />
      <PasswordField
        label="Owner’s new password"
        value={password}
        onChange={setPassword}
        generate
        hint="A backup holds no password. Database users get new ones too: the owner sets them."
        error={missing ? 'Give the owner a password.' : serverErrors.password}
      />
      {mutation.error && !serverErrors.plan && !serverErrors.password ? (
        <Alert tone="error">{mutation.error.message}</Alert>
      ) : null}
      <div className="form__actions">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Restore account
        </Button>
      </div>
    </form>
  );
}
