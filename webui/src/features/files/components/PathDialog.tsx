import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, TextField } from '@/components/ui';

type PathDialogProps = {
  title: string;
  label: string;
  initial: string;
  submitLabel: string;
  hint?: string;
  pending: boolean;
  error?: string | undefined;
  onSubmit: (value: string) => void;
  onClose: () => void;
};

/** One value asked for (a name, a path, a mode): new folder, rename, copy, permissions. */
export function PathDialog({
  title,
  label,
  initial,
  submitLabel,
  hint,
  pending,
  error,
  onSubmit,
  onClose,
}: PathDialogProps) {
  const [value, setValue] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) onSubmit(value.trim());
  };
  return (
    <Dialog open onClose={() => !pending && onClose()} title={title} size="sm">
      <form onSubmit={submit} className="stack">
        {error ? <Alert tone="error">{error}</Alert> : null}
        <TextField
          label={label}
          hint={hint}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoCapitalize="off"
          spellCheck={false}
        />
        <div className="dialog__actions">
          <Button type="button" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" pending={pending}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
