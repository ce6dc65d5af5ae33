import { Alert, Button, Card, FactList, LoadingState, toast } from '@/components/ui';
import type { Account } from '@/types/api';
import { useSshAccess, type SshAccess } from '../api/get-ssh-access';
import { useUpdateSshAccess } from '../api/update-ssh-access';

/** SFTP/SSH sign-in on the account's page: the administrator's switch, and what a session gets. */
export function SshAccessCard({ account }: { account: Account }) {
  const access = useSshAccess(account.name);
  return (
    <Card title="SFTP and SSH">
      {access.isPending ? (
        <LoadingState label="Loading SFTP and SSH access…" />
      ) : access.isError ? (
        <Alert
          tone="error"
          title="Could not load SFTP and SSH access"
          action={<Button onClick={() => void access.refetch()}>Try again</Button>}
        >
          {access.error.message}
        </Alert>
      ) : (
        <SshAccessFacts account={account} access={access.data} />
      )}
    </Card>
  );
}

function SshAccessFacts({ account, access }: { account: Account; access: SshAccess }) {
  const mutation = useUpdateSshAccess();
  const next = !access.enabled;
  const toggle = () =>
    mutation.mutate(
      { account: account.name, enabled: next },
      {
        onSuccess: () =>
          toast.success(`SFTP and SSH sign-in switched ${next ? 'on' : 'off'} for ${account.name}.`),
        onError: (error) =>
          toast.error(`Could not switch SFTP and SSH for ${account.name}: ${error.message}`),
      },
    );
  return (
    <>
      <FactList
        facts={[
          {
            term: 'Sign-in',
            value: access.enabled ? 'Allowed (password and keys)' : 'Switched off',
          },
          {
            term: 'A session gets',
            value: access.shell
              ? `A shell over SSH (${account.shell}), as plan ${account.plan} allows`
              : 'SFTP only, inside its home',
          },
        ]}
      />
      {account.status === 'suspended' ? (
        <p className="muted">While the account is suspended, it cannot sign in whatever this says.</p>
      ) : null}
      <div className="actions">
        <Button onClick={toggle} pending={mutation.isPending}>
          {access.enabled ? 'Switch off SFTP and SSH' : 'Switch on SFTP and SSH'}
        </Button>
      </div>
    </>
  );
}
