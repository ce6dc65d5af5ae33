import { useState } from 'react';
import { Button, Card, ConfirmDialog, toast } from '@/components/ui';
import { SuspendReasonField } from '@/components/SuspendReasonField';
import { ownerMayLift } from '@/lib/suspension';
import { useSuspendDomain } from '../api/suspend-domain';
import { useUnsuspendDomain } from '../api/unsuspend-domain';
import type { Domain, DomainsArea } from '../types';
import { ChangeBackendDialog } from './ChangeBackendDialog';
import { DeleteDomainDialog } from './DeleteDomainDialog';
import { EditAliasesDialog } from './EditAliasesDialog';

type OpenDialog = 'aliases' | 'backend' | 'suspend' | 'delete' | null;

type DomainActionsProps = { domain: Domain; area: DomainsArea; onDeleted: () => void };

export function DomainActions({ domain, area, onDeleted }: DomainActionsProps) {
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const close = () => setDialog(null);
  const busy = domain.status === 'deleting';

  return (
    <Card title="Manage">
      <div className="actions">
        <Button onClick={() => setDialog('aliases')} disabled={busy}>
          Edit aliases
        </Button>
        <Button onClick={() => setDialog('backend')} disabled={busy}>
          Change backend
        </Button>
        <SuspendButton domain={domain} area={area} onSuspend={() => setDialog('suspend')} />
        <Button variant="danger" onClick={() => setDialog('delete')} disabled={busy}>
          Delete
        </Button>
      </div>

      <EditAliasesDialog domain={domain} open={dialog === 'aliases'} onClose={close} />
      <ChangeBackendDialog domain={domain} open={dialog === 'backend'} onClose={close} />
      <SuspendDomainDialog domain={domain} area={area} open={dialog === 'suspend'} onClose={close} />
      <DeleteDomainDialog domain={domain} open={dialog === 'delete'} onClose={close} onDeleted={onDeleted} />
    </Card>
  );
}

type SuspendButtonProps = { domain: Domain; area: DomainsArea; onSuspend: () => void };

/** Suspend, or lift the suspension; an owner is not offered to lift an administrator's. */
function SuspendButton({ domain, area, onSuspend }: SuspendButtonProps) {
  const unsuspendMutation = useUnsuspendDomain();
  if (domain.status !== 'suspended') {
    return (
      <Button onClick={onSuspend} disabled={domain.status === 'deleting'}>
        Suspend
      </Button>
    );
  }
  if (area === 'panel' && !ownerMayLift(domain.suspension)) return null;
  return (
    <Button
      pending={unsuspendMutation.isPending}
      onClick={() =>
        unsuspendMutation.mutate(domain.name, {
          onSuccess: () => toast.success(`Domain ${domain.unicode_name} unsuspended.`),
          onError: (error) => toast.error(`Could not unsuspend ${domain.unicode_name}: ${error.message}`),
        })
      }
    >
      Unsuspend
    </Button>
  );
}

function SuspendDomainDialog({
  domain,
  area,
  open,
  onClose,
}: {
  domain: Domain;
  area: DomainsArea;
  open: boolean;
  onClose: () => void;
}) {
  const suspendMutation = useSuspendDomain();
  const [reason, setReason] = useState('');
  const close = () => {
    suspendMutation.reset();
    setReason('');
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Suspend domain ${domain.unicode_name}?`}
      confirmLabel="Suspend domain"
      pending={suspendMutation.isPending}
      error={suspendMutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        suspendMutation.mutate(
          { name: domain.name, reason: reason.trim() },
          {
            onSuccess: () => {
              toast.success(`Domain ${domain.unicode_name} suspended.`);
              close();
            },
          },
        )
      }
    >
      <p>The site stops being served until it is unsuspended. Its files and settings stay.</p>
      {area === 'admin' ? <p>Only an administrator can unsuspend it; the owner sees the reason.</p> : null}
      <SuspendReasonField value={reason} onChange={setReason} hint="Recorded with the suspension." />
    </ConfirmDialog>
  );
}
