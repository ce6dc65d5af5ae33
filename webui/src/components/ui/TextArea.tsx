import type { ReactNode, TextareaHTMLAttributes } from 'react';
import { Field } from './Field';

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  markOptional?: boolean;
  id?: string;
};

export function TextArea({
  label,
  error,
  hint,
  id,
  required = true,
  markOptional,
  className,
  ...textarea
}: TextAreaProps) {
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
        <textarea
          id={inputId}
          className={['input', 'textarea', className].filter(Boolean).join(' ')}
          required={required}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...textarea}
        />
      )}
    </Field>
  );
}
