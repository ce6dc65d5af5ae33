import { Alert, Button, Dialog } from '@/components/ui';
import { useRenewVpnClient } from '../api/renew-vpn-client';
import type { VpnClient } from '../types';
import { profileHref } from './CreateVpnClientDialog';

type RenewVpnClientDialogProps = { client: VpnClient; open: boolean; onClose: () => void };

/** A new profile for a client near its certificate's end; the old one works until it expires. */
export function RenewVpnClientDialog({ client, open, onClose }: RenewVpnClientDialogProps) {
  const mutation = useRenewVpnClient();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  const renewed = mutation.data;
  return (
    <Dialog open={open} onClose={close} title={`Renew ${client.name}`}>
      {renewed ? (
        <>
          <Alert tone="warning" title="Download the new profile now">
            It holds a new private key and is shown only this once. The old profile keeps working until its
            certificate expires, so move each device over before then.
          </Alert>
          <div className="actions actions--row">
            <a
              className="btn btn--primary btn--md"
              href={profileHref(renewed.profile)}
              download={`${renewed.name}.ovpn`}
            >
              Download {renewed.name}.ovpn
            </a>
            <Button onClick={close}>Done</Button>
          </div>
        </>
      ) : (
        <>
          {mutation.error ? <Alert tone="error">{mutation.error.message}</Alert> : null}
          <p>
            A new certificate and profile for {client.name}, from 30 days before its certificate expires. To
            replace a key that may be known to someone else, revoke the client instead.
          </p>
          <div className="actions actions--row">
            <Button onClick={close}>Cancel</Button>
            <Button variant="primary" pending={mutation.isPending} onClick={() => mutation.mutate(client.id)}>
              Renew VPN client
            </Button>
          </div>
        </>
      )}
    </Dialog>
  );
}
