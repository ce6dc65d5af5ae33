import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

type CheckboxProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'id'> & {
  label: ReactNode;
  hint?: ReactNode;
};

/** A checkbox with its label to the right and an optional hint under it. */
export function Checkbox({ label, hint, className, ...input }: CheckboxProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={['checkbox', className].filter(Boolean).join(' ')}>
      <input id={id} type="checkbox" aria-describedby={hintId} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field__hint checkbox__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
