import type { InputHTMLAttributes } from 'react';

type SwitchProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'role'> & {
  /** Required: a switch without words is a mystery to screen readers. */
  'aria-label': string;
  /** Shows that the change is being saved. */
  pending?: boolean;
};

/** An on/off control that takes effect at once (unlike a checkbox in a form). */
export function Switch({ pending = false, className, disabled, checked, ...input }: SwitchProps) {
  return (
    <input
      type="checkbox"
      role="switch"
      checked={checked}
      aria-checked={checked}
      className={['switch', className].filter(Boolean).join(' ')}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      {...input}
    />
  );
}
