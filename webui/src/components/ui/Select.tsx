import type { ReactNode, SelectHTMLAttributes } from 'react';
import { Field } from './Field';

export type SelectOption = { value: string; label: string };

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  label: string;
  options: readonly SelectOption[];
  error?: string | undefined;
  hint?: ReactNode;
  id?: string;
};

export function Select({
  label,
  options,
  error,
  hint,
  id,
  required = true,
  className,
  ...select
}: SelectProps) {
  return (
    <Field label={label} error={error} hint={hint} required={required} id={id}>
      {({ inputId, describedBy, invalid }) => (
        <select
          id={inputId}
          className={['input', 'select', className].filter(Boolean).join(' ')}
          required={required}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...select}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
