import { TextField } from '@/components/ui';
import { MAX_SUSPENSION_REASON } from '@/lib/suspension';

type SuspendReasonFieldProps = { value: string; onChange: (value: string) => void; hint: string };

/** The optional reason of a suspension, shown to the owner. */
export function SuspendReasonField({ value, onChange, hint }: SuspendReasonFieldProps) {
  return (
    <TextField
      label="Reason"
      required={false}
      value={value}
      maxLength={MAX_SUSPENSION_REASON}
      hint={hint}
      onChange={(event) => onChange(event.target.value)}
      autoComplete="off"
    />
  );
}
