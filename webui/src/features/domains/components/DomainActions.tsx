import { useState } from 'react';
import { Button, Card, ConfirmDialog, toast } from '@/components/ui';
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
        {area === 'admin' ? <SuspendButton domain={domain} onSuspend={() => setDialog('suspend')} /> : null}
        <Button variant="danger" onClick={() => setDialog('delete')} disabled={busy}>
          Delete
        </Button>
      </div>

      <EditAliasesDialog domain={domain} open={dialog === 'aliases'} onClose={close} />
      <ChangeBackendDialog domain={domain} open={dialog === 'backend'} onClose={close} />
      {area === 'admin' ? (
        <SuspendDomainDialog domain={domain} open={dialog === 'suspend'} onClose={close} />
      ) : null}
      <DeleteDomainDialog domain={domain} open={dialog === 'delete'} onClose={close} onDeleted={onDeleted} />
    </Card>
  );
}

function SuspendButton({ domain, onSuspend }: { domain: Domain; onSuspend: () => void }) {
  const unsuspendMutation = useUnsuspendDomain();
  if (domain.status !== 'suspended') {
    return (
      <Button onClick={onSuspend} disabled={domain.status === 'deleting'}>
        Suspend
      </Button>
    );
  }
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
  open,
  onClose,
}: {
  domain: Domain;
  open: boolean;
  onClose: () => void;
}) {
  const suspendMutation = useSuspendDomain();
  const close = () => {
    suspendMutation.reset();
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
        suspendMutation.mutate(domain.name, {
          onSuccess: () => {
            toast.success(`Domain ${domain.unicode_name} suspended.`);
            close();
          },
        })
      }
    >
      <p>The site stops being served until it is unsuspended. Its files and settings stay.</p>
    </ConfirmDialog>
  );
}
