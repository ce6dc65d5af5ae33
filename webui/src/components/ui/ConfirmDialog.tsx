import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert } from './Alert';
import { Button } from './Button';
import { Dialog } from './Dialog';
import { TextField } from './TextField';

type ConfirmDialogProps = {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  tone?: 'danger' | 'primary';
  pending?: boolean;
  /** Set for irreversible actions: the confirm button waits until this exact text is typed. */
  confirmText?: string;
  error?: string | undefined;
};

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, onCancel, pending = false } = props;
  return (
    <Dialog open={open} onClose={() => !pending && onCancel()} title={title} size="sm">
      <ConfirmForm {...props}>{children}</ConfirmForm>
    </Dialog>
  );
}

function ConfirmForm({
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  tone = 'danger',
  pending = false,
  confirmText,
  error,
}: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const armed = confirmText === undefined || typed === confirmText;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (armed && !pending) onConfirm();
  };

  return (
    <form onSubmit={submit} noValidate>
      <div className="dialog__text">{children}</div>
      {confirmText !== undefined ? (
        <TextField
          label={`Type ${confirmText} to confirm`}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
        />
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="dialog__footer">
        <Button onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" variant={tone} disabled={!armed} pending={pending}>
          {confirmLabel}
        </Button>
      </div>
    </form>
  );
}
