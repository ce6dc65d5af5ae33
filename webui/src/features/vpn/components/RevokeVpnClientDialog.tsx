import { ConfirmDialog, toast } from '@/components/ui';
import { useRevokeVpnClient } from '../api/revoke-vpn-client';
import type { VpnClient } from '../types';

type RevokeVpnClientDialogProps = { client: VpnClient; open: boolean; onClose: () => void };

export function RevokeVpnClientDialog({ client, open, onClose }: RevokeVpnClientDialogProps) {
  const mutation = useRevokeVpnClient();
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={`Revoke ${client.name}?`}
      confirmLabel="Revoke VPN client"
      pending={mutation.isPending}
      error={mutation.error?.message}
      onCancel={close}
      onConfirm={() =>
        mutation.mutate(client.id, {
          onSuccess: () => {
            toast.success(`VPN client ${client.name} revoked.`);
            close();
          },
        })
      }
    >
      <p>
        Its profile stops working at once: a connected device is disconnected and cannot connect again. To
        connect that device later, add a new client.
      </p>
    </ConfirmDialog>
  );
}
