import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

type CheckboxProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'id'> & {
  label: ReactNode;
  hint?: ReactNode;
  /** A message about this one box (a refused choice), read with it by screen readers. */
  error?: string | undefined;
};

/** A checkbox with its label to the right and an optional hint and error under it. */
export function Checkbox({ label, hint, error, className, ...input }: CheckboxProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={['checkbox', className].filter(Boolean).join(' ')}>
      <input
        id={id}
        type="checkbox"
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
        {...input}
      />
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p className="field__error checkbox__hint" id={errorId}>
          {error}
        </p>
      ) : null}
      {hint ? (
        <p className="field__hint checkbox__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
