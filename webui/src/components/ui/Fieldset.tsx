import { useId, type ReactNode } from 'react';

type FieldsetProps = {
  legend: string;
  /** An error about the group as a whole (not one of its fields). */
  error?: string | undefined;
  hint?: ReactNode;
  optional?: boolean;
  children: ReactNode;
};

/** Groups related controls under a legend; screen readers announce it with each control. */
export function Fieldset({ legend, error, hint, optional = false, children }: FieldsetProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset
      className={`fieldset${error ? ' fieldset--invalid' : ''}`}
      aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
    >
      <legend className="field__label">
        {legend}
        {optional ? <span className="field__optional"> (optional)</span> : null}
      </legend>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
      <div className="fieldset__body">{children}</div>
    </fieldset>
  );
}
