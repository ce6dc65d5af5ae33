import { TextField } from '@/components/ui';

type AccountFieldProps = {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  what: string;
};

/** Administrators name the account a new database or user belongs to. */
export function AccountField({ value, onChange, error, what }: AccountFieldProps) {
  return (
    <TextField
      label="Account"
      name="account"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={`The account that owns the ${what}; its name starts the ${what}’s name.`}
      autoComplete="off"
      autoCapitalize="off"
      spellCheck={false}
    />
  );
}
