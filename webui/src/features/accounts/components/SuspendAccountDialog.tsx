import { useState } from 'react';
import { ConfirmDialog, toast } from '@/components/ui';
import { SuspendReasonField } from '@/components/SuspendReasonField';
import { useSuspendAccount } from '../api/suspend-account';

type SuspendAccountDialogProps = { name: string; open: boolean; onClose: () => void };

export function SuspendAccountDialog({ name, open, onClose }: SuspendAccountDialogProps) {
  const suspendMutation = useSuspendAccount();
  const [reason, setReason] = useState('');
  const close = () => {
    suspendMutation.reset();
    setReason('');
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Suspend account ${name}?`}
      confirmLabel="Suspend account"
      pending={suspendMutation.isPending}
      error={suspendMutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        suspendMutation.mutate(
          { name, reason: reason.trim() },
          {
            onSuccess: () => {
              toast.success(`Account ${name} suspended.`);
              close();
            },
          },
        )
      }
    >
      <p>The owner can no longer sign in, and the account's sites stop serving until it is unsuspended.</p>
      <SuspendReasonField value={reason} onChange={setReason} hint="Recorded with the suspension." />
    </ConfirmDialog>
  );
}
