import { useState } from 'react';
import { ConfirmDialog, toast } from '@/components/ui';
import { SuspendReasonField } from '@/components/SuspendReasonField';
import { type ResellerCascade, useSuspendReseller, useUnsuspendReseller } from '../api/suspend-reseller';
import type { Reseller } from '../api/list-resellers';

type SuspendResellerDialogProps = { reseller: Reseller | null; onClose: () => void };

/** What the call did; the accounts the agent refused are named, and the same action again does them. */
function report(cascade: ResellerCascade, done: string, again: string) {
  const name = cascade.reseller.name;
  if (cascade.not_done.length === 0) {
    toast.success(`Reseller ${name} ${done} with ${cascade.accounts.length} account(s).`);
    return;
  }
  const refused = cascade.not_done.map((a) => `${a.name} (${a.detail})`).join(', ');
  toast.error(`Reseller ${name} ${done}, but not these accounts: ${refused}. ${again} to retry.`);
}

/** Open while `reseller` is set: suspends it, or lifts its suspension if it is suspended. */
export function SuspendResellerDialog({ reseller, onClose }: SuspendResellerDialogProps) {
  const suspend = useSuspendReseller();
  const unsuspend = useUnsuspendReseller();
  const [reason, setReason] = useState('');
  const suspended = reseller?.suspension != null;
  const mutation = suspended ? unsuspend : suspend;
  const name = reseller?.name ?? '';
  const finish = () => {
    suspend.reset();
    unsuspend.reset();
    setReason('');
    onClose();
  };
  const close = () => {
    if (!mutation.isPending) finish();
  };
  const done = (cascade: ResellerCascade) => {
    report(
      cascade,
      suspended ? 'unsuspended' : 'suspended',
      suspended ? 'Unsuspend it again' : 'Suspend it again',
    );
    finish();
  };
  const confirm = () =>
    suspended
      ? unsuspend.mutate(name, { onSuccess: done })
      : suspend.mutate({ name, reason: reason.trim() }, { onSuccess: done });
  return (
    <ConfirmDialog
      open={reseller !== null}
      title={suspended ? `Unsuspend reseller ${name}?` : `Suspend reseller ${name}?`}
      confirmLabel={suspended ? 'Unsuspend reseller' : 'Suspend reseller'}
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={confirm}
    >
      {suspended ? (
        <p>
          The reseller can sign in again, and the accounts suspended with it are resumed. Accounts you
          suspended on their own stay suspended.
        </p>
      ) : (
        <>
          <p>
            The reseller is signed out and can no longer sign in, and every active account on its plans is
            suspended with it. Neither the reseller nor the owners can lift these suspensions.
          </p>
          <SuspendReasonField value={reason} onChange={setReason} hint="Recorded with the suspension." />
        </>
      )}
    </ConfirmDialog>
  );
}
