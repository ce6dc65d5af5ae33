import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField } from '@/components/ui';
import type { Area } from '@/config/paths';
import { useCreateVpnClient, type CreateVpnClientInput } from '../api/create-vpn-client';
import type { VpnClientCreated } from '../types';

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function vpnClientNameError(name: string): string | undefined {
  if (!name) return 'Enter a name, such as laptop.';
  if (!NAME_PATTERN.test(name)) {
    return 'Use 1 to 31 lowercase letters, digits and hyphens, starting with a letter or digit.';
  }
  return undefined;
}

/** The profile as a file the browser saves: a data URL, so nothing is kept anywhere else. */
export function profileHref(profile: string): string {
  return `data:application/x-openvpn-profile;charset=utf-8,${encodeURIComponent(profile)}`;
}

type CreateVpnClientDialogProps = {
  open: boolean;
  onClose: () => void;
  area: Area;
  /** Administrators: the account to fill in (the list's account filter). */
  account?: string | undefined;
};

export function CreateVpnClientDialog({ open, onClose, area, account }: CreateVpnClientDialogProps) {
  const mutation = useCreateVpnClient();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title="Add VPN client">
      {mutation.data ? (
        <Profile created={mutation.data} onDone={close} />
      ) : (
        <CreateForm mutation={mutation} area={area} initialAccount={account ?? ''} onCancel={close} />
      )}
    </Dialog>
  );
}

function Profile({ created, onDone }: { created: VpnClientCreated; onDone: () => void }) {
  return (
    <>
      <Alert tone="warning" title="Download the profile now">
        It holds this device’s private key and is shown only this once: the server keeps no copy. If it is
        lost, revoke the client and add a new one.
      </Alert>
      <p>
        Import <code>{created.name}.ovpn</code> into OpenVPN Connect or the OpenVPN client of your device.
      </p>
      <div className="actions actions--row">
        <a
          className="btn btn--primary btn--md"
          href={profileHref(created.profile)}
          download={`${created.name}.ovpn`}
        >
          Download {created.name}.ovpn
        </a>
        <Button onClick={onDone}>Done</Button>
      </div>
    </>
  );
}

type FormProps = {
  mutation: ReturnType<typeof useCreateVpnClient>;
  area: Area;
  initialAccount: string;
  onCancel: () => void;
};

function CreateForm({ mutation, area, initialAccount, onCancel }: FormProps) {
  const [name, setName] = useState('');
  const [account, setAccount] = useState(initialAccount);
  const [error, setError] = useState<string | undefined>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = name.trim().toLowerCase();
    const problem = vpnClientNameError(wanted);
    setError(problem);
    if (problem) return;
    const input: CreateVpnClientInput = { name: wanted };
    if (area === 'admin' && account.trim()) input.account = account.trim().toLowerCase();
    mutation.mutate(input);
  };

  return (
    <form onSubmit={submit} noValidate>
      {mutation.error ? <Alert tone="error">{mutation.error.message}</Alert> : null}
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={error}
        hint="The device it is for, such as laptop or phone."
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
      />
      {area === 'admin' ? (
        <TextField
          label="Account"
          name="account"
          required={false}
          value={account}
          onChange={(e) => setAccount(e.target.value)}
          hint="Leave empty for a client of your own."
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
        />
      ) : null}
      <div className="actions actions--row">
        <Button type="button" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Add VPN client
        </Button>
      </div>
    </form>
  );
}
