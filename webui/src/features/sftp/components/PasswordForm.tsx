import { useState, type FormEvent } from 'react';
import { Alert, Button, PasswordField } from '@/components/ui';
import { splitFormErrors } from '@/lib/form-errors';
import type { PasswordChangeInput } from '../api/change-password';

const FIELDS = ['current_password', 'new_password'] as const;

type PasswordFormProps = {
  /** Names the form (and its button) for what it changes. */
  title: string;
  hint: string;
  onSubmit: (input: PasswordChangeInput) => void;
  pending: boolean;
  error: unknown;
};

/** A new password confirmed by the current panel password. */
export function PasswordForm({ title, hint, onSubmit, pending, error }: PasswordFormProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const errors = splitFormErrors(error, FIELDS);

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit({ current_password: current, new_password: next });
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
        error={errors.fields.current_password}
      />
      <PasswordField
        label="New password"
        value={next}
        onChange={setNext}
        error={errors.fields.new_password}
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
