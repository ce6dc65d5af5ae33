import { TextField } from '@/components/ui';
import { TOTALS, type TotalDrafts, type TotalKey } from './totals';

type TotalsFieldsProps = {
  drafts: TotalDrafts;
  onChange: (key: TotalKey, value: string) => void;
  errorFor: (key: TotalKey) => string | undefined;
};

/** One number field per total; left empty, the total is unlimited. */
export function TotalsFields({ drafts, onChange, errorFor }: TotalsFieldsProps) {
  return (
    <>
      {TOTALS.map(({ key, label }) => (
        <TextField
          key={key}
          label={label}
          name={key}
          inputMode="numeric"
          value={drafts[key]}
          required={false}
          markOptional={false}
          onChange={(e) => onChange(key, e.target.value)}
          error={errorFor(key)}
          hint="Empty: unlimited. Each account reserves its plan's limit of it."
          autoComplete="off"
        />
      ))}
    </>
  );
}
