import { useState } from 'react';
import { Button, Card, toast } from '@/components/ui';
import type { Account } from '@/types/api';
import { useUnsuspendAccount } from '../api/unsuspend-account';
import { ChangeEmailDialog } from './ChangeEmailDialog';
import { ChangePlanDialog } from './ChangePlanDialog';
import { ChangeShellDialog } from './ChangeShellDialog';
import { DeleteAccountDialog } from './DeleteAccountDialog';
import { SetPasswordDialog } from './SetPasswordDialog';
import { SuspendAccountDialog } from './SuspendAccountDialog';

type OpenDialog = 'password' | 'shell' | 'email' | 'plan' | 'suspend' | 'delete' | null;

type AccountActionsProps = { account: Account; onDeleted: () => void };

export function AccountActions({ account, onDeleted }: AccountActionsProps) {
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const close = () => setDialog(null);
  const unsuspendMutation = useUnsuspendAccount();
  const { name } = account;

  const unsuspend = () =>
    unsuspendMutation.mutate(name, {
      onSuccess: () => toast.success(`Account ${name} unsuspended.`),
      onError: (error) => toast.error(`Could not unsuspend ${name}: ${error.message}`),
    });

  return (
    <Card title="Manage">
      <div className="actions">
        <Button onClick={() => setDialog('password')}>Set password</Button>
        <Button onClick={() => setDialog('shell')}>Change shell</Button>
        <Button onClick={() => setDialog('email')}>Change email</Button>
        <Button onClick={() => setDialog('plan')}>Change plan</Button>
        {account.status === 'suspended' ? (
          <Button onClick={unsuspend} pending={unsuspendMutation.isPending}>
            Unsuspend
          </Button>
        ) : (
          <Button onClick={() => setDialog('suspend')}>Suspend</Button>
        )}
        <Button variant="danger" onClick={() => setDialog('delete')}>
          Delete
        </Button>
      </div>

      <SetPasswordDialog name={name} open={dialog === 'password'} onClose={close} />
      <ChangeShellDialog name={name} shell={account.shell} open={dialog === 'shell'} onClose={close} />
      <ChangeEmailDialog name={name} email={account.email} open={dialog === 'email'} onClose={close} />
      <ChangePlanDialog name={name} plan={account.plan} open={dialog === 'plan'} onClose={close} />
      <SuspendAccountDialog name={name} open={dialog === 'suspend'} onClose={close} />
      <DeleteAccountDialog name={name} open={dialog === 'delete'} onClose={close} onDeleted={onDeleted} />
    </Card>
  );
}
