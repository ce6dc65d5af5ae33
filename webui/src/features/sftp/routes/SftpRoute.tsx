import type { ReactNode } from 'react';
import { PasswordForm } from '@/components/PasswordForm';
import { Alert, Badge, Button, EmptyState, LoadingState, PageHeader, Section, toast } from '@/components/ui';
import { useChangeSystemPassword } from '../api/change-system-password';
import { useSshAccess } from '../api/get-ssh-access';
import { useSshKeys } from '../api/list-ssh-keys';
import { AddSshKeyForm } from '../components/AddSshKeyForm';
import { SshKeysTable } from '../components/SshKeysTable';

type SftpRouteProps = {
  /** The panel password form, another feature's (app/router.tsx composes it). */
  panelPassword: ReactNode;
};

/** An owner's sign-in: SFTP access and keys, the SFTP password and the panel password. */
export function SftpRoute({ panelPassword }: SftpRouteProps) {
  return (
    <>
      <PageHeader
        title="SFTP and passwords"
        description="Put files into your sites over SFTP, with a password or a key. You see your own home folder only."
      />
      <div className="stack">
        <AccessSection />
        <KeysSection />
        <SystemPasswordSection />
        <Section title="Panel password">{panelPassword}</Section>
      </div>
    </>
  );
}

function AccessSection() {
  const access = useSshAccess();
  if (access.isPending) return <LoadingState label="Loading SFTP access…" />;
  if (access.isError) {
    return (
      <Alert
        tone="error"
        title="Could not load SFTP access"
        action={<Button onClick={() => void access.refetch()}>Try again</Button>}
      >
        {access.error.message}
      </Alert>
    );
  }
  return (
    <Section title="SFTP access">
      {access.data.enabled && access.data.shell ? (
        <p>
          <Badge tone="success">Shell</Badge> Your plan gives you a shell over SSH: sign in as{' '}
          <code>{access.data.account}</code> with <code>ssh</code> or SFTP; you start in{' '}
          <code>/home/{access.data.account}</code>, where <code>web/&lt;domain&gt;/public_html</code> holds
          each site.
        </p>
      ) : access.data.enabled ? (
        <p>
          <Badge tone="success">On</Badge> Sign in as <code>{access.data.account}</code>; you start in your
          home folder, where <code>web/&lt;domain&gt;/public_html</code> holds each site. SFTP only: your plan
          gives no shell.
        </p>
      ) : (
        <p>
          <Badge tone="neutral">Off</Badge> An administrator has switched SFTP off for this account.
        </p>
      )}
    </Section>
  );
}

function KeysSection() {
  const keys = useSshKeys();
  return (
    <Section title="SSH keys">
      {keys.isPending ? <LoadingState label="Loading SSH keys…" /> : null}
      {keys.isError ? (
        <Alert
          tone="error"
          title="Could not load SSH keys"
          action={<Button onClick={() => void keys.refetch()}>Try again</Button>}
        >
          {keys.error.message}
        </Alert>
      ) : null}
      {keys.isSuccess && keys.data.items.length === 0 ? (
        <EmptyState title="No keys yet">Add a public key to sign in without a password.</EmptyState>
      ) : null}
      {keys.isSuccess && keys.data.items.length > 0 ? <SshKeysTable keys={keys.data.items} /> : null}
      <AddSshKeyForm />
    </Section>
  );
}

function SystemPasswordSection() {
  const change = useChangeSystemPassword();
  return (
    <Section title="SFTP password">
      <PasswordForm
        title="Set SFTP password"
        hint="The password SFTP asks for. Your panel password and this session stay as they are."
        pending={change.isPending}
        error={change.error}
        onSubmit={(input, clear) =>
          change.mutate(input, {
            onSuccess: () => {
              clear();
              toast.success('SFTP password set.');
            },
          })
        }
      />
    </Section>
  );
}
