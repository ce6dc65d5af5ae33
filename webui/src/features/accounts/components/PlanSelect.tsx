import { Select } from '@/components/ui';
import type { usePlanChoices } from '../api/list-plan-choices';

type PlanSelectProps = {
  choices: ReturnType<typeof usePlanChoices>;
  value: string;
  onChange: (plan: string) => void;
  error?: string | undefined;
  label?: string;
};

/** The plan select, with what it shows while the names load or when they cannot be had. */
export function PlanSelect({ choices, value, onChange, error, label = 'Plan' }: PlanSelectProps) {
  if (choices.isError) {
    return (
      <Select
        label={label}
        options={[{ value, label: value }]}
        value={value}
        disabled
        error={error}
        hint={`The list of plans could not be loaded (${choices.error.message}).`}
      />
    );
  }
  const names = choices.data ?? [];
  const options = (names.includes(value) ? names : [value, ...names]).map((n) => ({ value: n, label: n }));
  return (
    <Select
      label={label}
      name="plan"
      options={options}
      value={value}
      disabled={choices.isPending}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={
        choices.isPending ? 'Loading plans…' : 'The plan sets the limits for domains, databases and more.'
      }
    />
  );
}
