import type { InputHTMLAttributes, ReactNode } from 'react';
import { Field } from './Field';

type PrefixedTextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  label: string;
  /** Fixed text before what is typed, such as "alice_"; part of the value sent, not typed. */
  prefix: string;
  error?: string | undefined;
  /** Should repeat the prefix in words (the whole name), for screen readers. */
  hint?: ReactNode;
  id?: string;
};

/** A text field whose value always starts with a fixed prefix, shown before the input. */
export function PrefixedTextField({
  label,
  prefix,
  error,
  hint,
  id,
  className,
  ...input
}: PrefixedTextFieldProps) {
  return (
    <Field label={label} error={error} hint={hint} required id={id}>
      {({ inputId, describedBy, invalid }) => (
        <div className={`input-affix${invalid ? ' input-affix--invalid' : ''}`}>
          {/* The hint says the whole name; the prefix here is for the eye. */}
          <span className="input-affix__prefix" aria-hidden="true">
            {prefix}
          </span>
          <input
            id={inputId}
            className={['input', 'input-affix__input', className].filter(Boolean).join(' ')}
            required
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            {...input}
          />
        </div>
      )}
    </Field>
  );
}
