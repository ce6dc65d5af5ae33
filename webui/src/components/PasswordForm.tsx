import { useState, type FormEvent } from 'react';
import { Alert, Button, PasswordField } from '@/components/ui';
import { splitFormErrors } from '@/lib/form-errors';
import { passwordError } from '@/lib/validation';
import type { PasswordChange } from '@/types/api';

const FIELDS = ['current_password', 'new_password'] as const;

type PasswordFormProps = {
  /** Names the form (and its button) for what it changes. */
  title: string;
  hint: string;
  /** `clear` empties both fields: call it once the change has succeeded. */
  onSubmit: (input: PasswordChange, clear: () => void) => void;
  pending: boolean;
  error: unknown;
};

/**
 * A new password confirmed by the current panel password: the panel password itself (owners,
 * administrators, resellers) and an owner's SFTP password.
 */
export function PasswordForm({ title, hint, onSubmit, pending, error }: PasswordFormProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  // What the browser refuses before anything is sent (the server's rules: 8 to 72 bytes).
  const [refused, setRefused] = useState<{ current?: string; next?: string }>({});
  const errors = splitFormErrors(error, FIELDS);

  function clear() {
    setCurrent('');
    setNext('');
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = {
      current: current ? undefined : 'Enter your current panel password.',
      next: passwordError(next),
    };
    setRefused(found);
    if (found.current || found.next) return;
    onSubmit({ current_password: current, new_password: next }, clear);
  }

  return (
    <form className="stack" aria-label={title} onSubmit={submit} noValidate>
      <p className="muted">{hint}</p>
      {errors.form ? (
        <Alert tone="error" title="Not changed">
          {errors.form}
        </Alert>
      ) : null}
      <PasswordField
        label="Current panel password"
        value={current}
        onChange={setCurrent}
        error={refused.current ?? errors.fields.current_password}
      />
      <PasswordField
        label="New password"
        value={next}
        onChange={setNext}
        error={refused.next ?? errors.fields.new_password}
        hint="8 to 72 bytes."
        generate
      />
      <div>
        <Button type="submit" variant="primary" pending={pending}>
          {title}
        </Button>
      </div>
    </form>
  );
}
