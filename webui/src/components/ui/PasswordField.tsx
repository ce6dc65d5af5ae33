import { useState, type ReactNode } from 'react';
import { generatePassword } from '@/lib/password';
import { Button } from './Button';
import { Field } from './Field';

type PasswordFieldProps = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  name?: string;
  /** Offers a "Generate" button that fills in a strong random password and shows it. */
  generate?: boolean;
};

/** A new password: show/hide toggle, and optionally a generator. */
export function PasswordField({
  label,
  value,
  onChange,
  error,
  hint,
  name,
  generate = false,
}: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  return (
    <Field label={label} error={error} hint={hint} required>
      {({ inputId, describedBy, invalid }) => (
        <div className="input-row">
          <input
            id={inputId}
            name={name}
            className="input input--mono"
            type={visible ? 'text' : 'password'}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            autoComplete="new-password"
            autoCapitalize="off"
            spellCheck={false}
            required
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
          />
          <Button
            size="sm"
            aria-controls={inputId}
            aria-label={visible ? 'Hide password' : 'Show password'}
            onClick={() => setVisible((v) => !v)}
          >
            {visible ? 'Hide' : 'Show'}
          </Button>
          {generate ? (
            <Button
              size="sm"
              aria-label="Generate a strong password"
              onClick={() => {
                onChange(generatePassword());
                // Shown, so it can be copied before the dialog closes.
                setVisible(true);
              }}
            >
              Generate
            </Button>
          ) : null}
        </div>
      )}
    </Field>
  );
}
