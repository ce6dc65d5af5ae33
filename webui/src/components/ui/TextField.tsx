import type { InputHTMLAttributes, ReactNode } from 'react';
import { Field } from './Field';

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  markOptional?: boolean;
  id?: string;
};

export function TextField({
  label,
  error,
  hint,
  id,
  required = true,
  markOptional,
  className,
  ...input
}: TextFieldProps) {
  return (
    <Field
      label={label}
      error={error}
      hint={hint}
      required={required}
      markOptional={markOptional ?? true}
      id={id}
    >
      {({ inputId, describedBy, invalid }) => (
        <input
          id={inputId}
          className={['input', className].filter(Boolean).join(' ')}
          required={required}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...input}
        />
      )}
    </Field>
  );
}
