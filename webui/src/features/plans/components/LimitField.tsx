import { useRef } from 'react';
import { Field } from '@/components/ui/Field';

/** A limit as the form holds it: unlimited, or the number as typed. */
export type LimitDraft = { unlimited: boolean; value: string };

type LimitFieldProps = {
  label: string;
  draft: LimitDraft;
  onChange: (draft: LimitDraft) => void;
  error?: string | undefined;
  hint?: string | undefined;
  /** The smallest number allowed. */
  min: number;
};

/**
 * A number input with an "Unlimited" switch beside it. Unlimited (null to the API) empties
 * and disables the number, and says so in place of it, so it never reads as 0.
 */
export function LimitField({ label, draft, onChange, error, hint, min }: LimitFieldProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <Field label={label} error={error} hint={hint} markOptional={false}>
      {({ inputId, describedBy, invalid }) => (
        <div className="limit-field">
          <input
            ref={input}
            id={inputId}
            className="input limit-field__number"
            type="number"
            inputMode="numeric"
            min={min}
            step={1}
            value={draft.unlimited ? '' : draft.value}
            placeholder={draft.unlimited ? 'Unlimited' : undefined}
            disabled={draft.unlimited}
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            onChange={(e) => onChange({ unlimited: false, value: e.target.value })}
          />
          <label className="limit-field__unlimited">
            <input
              type="checkbox"
              // The visible "Unlimited" repeats for every limit; the name says which one.
              aria-label={`Unlimited ${lowerFirst(label)}`}
              checked={draft.unlimited}
              onChange={(e) => {
                onChange({ unlimited: e.target.checked, value: draft.value });
                // Turning the switch off means a number is wanted next.
                if (!e.target.checked) queueMicrotask(() => input.current?.focus());
              }}
            />
            Unlimited
          </label>
        </div>
      )}
    </Field>
  );
}

/** "Domains" -> "domains", but an initialism keeps its case: "PHP workers" stays. */
function lowerFirst(label: string): string {
  if (/^[A-Z]{2}/.test(label)) return label;
  return `${label.charAt(0).toLowerCase()}${label.slice(1)}`;
}
