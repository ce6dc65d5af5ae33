import { useId, type ReactNode } from 'react';

export type FieldIds = { inputId: string; describedBy: string | undefined; invalid: boolean };

type FieldProps = {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  required?: boolean;
  /** Adds "(optional)" to the label of a field that is not required. */
  markOptional?: boolean;
  id?: string | undefined;
  children: (ids: FieldIds) => ReactNode;
};

/** Label, control, hint and error in one block; the error sits right under its control. */
export function Field({ label, error, hint, required, markOptional = true, id, children }: FieldProps) {
  const generated = useId();
  const inputId = id ?? `field-${generated}`;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;

  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label className="field__label" htmlFor={inputId}>
        {label}
        {required || !markOptional ? null : <span className="field__optional"> (optional)</span>}
      </label>
      {children({ inputId, describedBy, invalid: Boolean(error) })}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
