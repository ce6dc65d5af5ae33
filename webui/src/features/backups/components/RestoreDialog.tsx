import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, Select, TextField } from '@/components/ui';
import { isApiError } from '@/lib/api-error';
import { formatDateTime } from '@/lib/format';
import { useStartRestore } from '../api/start-restore';
import type { Backup, Job, Placement, RestoreWhat } from '../types';

type RestoreDialogProps = {
  backup: Backup | null;
  /** Administrators restore the account of the backup; owners their own. */
  account?: string | undefined;
  onClose: () => void;
  onStarted: (job: Job) => void;
};

const WHAT: { value: RestoreWhat; label: string }[] = [
  { value: 'account', label: 'Everything: files and databases' },
  { value: 'domain', label: 'One site’s files' },
  { value: 'database', label: 'One database' },
  { value: 'path', label: 'One folder or file' },
];

const PLACEMENT: { value: Placement; label: string }[] = [
  { value: 'beside', label: 'Into a new folder (nothing is overwritten)' },
  { value: 'in_place', label: 'Over what is there now' },
];

export function RestoreDialog({ backup, account, onClose, onStarted }: RestoreDialogProps) {
  const mutation = useStartRestore();
  const close = () => {
    if (mutation.isPending) return;
    mutation.reset();
    onClose();
  };
  return (
    <Dialog
      open={backup !== null}
      onClose={close}
      title="Restore from backup"
      description={backup ? `Taken ${formatDateTime(backup.time)}.` : undefined}
    >
      {backup ? (
        <RestoreForm
          backup={backup}
          account={account}
          mutation={mutation}
          onCancel={close}
          onStarted={(job) => {
            mutation.reset();
            onStarted(job);
          }}
        />
      ) : null}
    </Dialog>
  );
}

type FormProps = {
  backup: Backup;
  account: string | undefined;
  mutation: ReturnType<typeof useStartRestore>;
  onCancel: () => void;
  onStarted: (job: Job) => void;
};

function RestoreForm({ backup, account, mutation, onCancel, onStarted }: FormProps) {
  const [what, setWhat] = useState<RestoreWhat>('account');
  const [name, setName] = useState('');
  const [placement, setPlacement] = useState<Placement>('beside');
  const [missing, setMissing] = useState(false);
  const serverErrors = isApiError(mutation.error) ? mutation.error.fieldErrors : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (what !== 'account' && !name.trim()) {
      setMissing(true);
      return;
    }
    mutation.mutate(
      { backupId: backup.id, what, name: name.trim(), placement, account },
      { onSuccess: onStarted },
    );
  };

  const nameField =
    what === 'domain' ? (
      <Select
        label="Site"
        value={name}
        onChange={(e) => setName(e.target.value)}
        options={[
          { value: '', label: 'Choose a site' },
          ...backup.domains.map((d) => ({ value: d, label: d })),
        ]}
        error={missing ? 'Choose a site.' : serverErrors.name}
      />
    ) : what === 'database' ? (
      <Select
        label="Database"
        value={name}
        onChange={(e) => setName(e.target.value)}
        options={[
          { value: '', label: 'Choose a database' },
          ...backup.databases.map((d) => ({ value: d.name, label: d.name })),
        ]}
        error={missing ? 'Choose a database.' : serverErrors.name}
      />
    ) : what === 'path' ? (
      <TextField
        label="Folder or file"
        value={name}
        onChange={(e) => setName(e.target.value)}
        hint="Relative to your home folder, such as web/example.com/public_html/index.php."
        error={missing ? 'Name a folder or file.' : serverErrors.name}
        autoCapitalize="off"
        spellCheck={false}
      />
    ) : null;

  return (
    <form onSubmit={submit} noValidate className="form">
      <Select
        label="What to restore"
        value={what}
        onChange={(e) => {
          setWhat(e.target.value as RestoreWhat);
          setName('');
          setMissing(false);
        }}
        options={WHAT}
      />
      {nameField}
      <Select
        label="Where"
        value={placement}
        onChange={(e) => setPlacement(e.target.value as Placement)}
        options={PLACEMENT}
        hint={placementHint(what, placement)}
      />
      {mutation.error && !serverErrors.name ? <Alert tone="error">{mutation.error.message}</Alert> : null}
      <div className="form__actions">
        <Button onClick={onCancel} disabled={mutation.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Start restore
        </Button>
      </div>
    </form>
  );
}

function placementHint(what: RestoreWhat, placement: Placement): string {
  if (placement !== 'in_place') {
    return 'Files go to a new folder restored-<time> in your home; a database to a new one.';
  }
  if (what === 'account') {
    return 'The backup replaces what is there now: sites, databases, cron jobs and zones deleted since come back; what was made since stays.';
  }
  return 'Files and databases in the backup replace the ones there now; the rest stays.';
}
