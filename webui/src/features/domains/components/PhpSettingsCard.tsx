import { useState, type FormEvent } from 'react';
import { Alert, Button, Card, Checkbox, TextField, toast } from '@/components/ui';
import { useFieldErrors } from '@/lib/use-field-errors';
import { usePhpSettings } from '../api/get-php-settings';
import { useUpdatePhpSettings } from '../api/update-php-settings';
import type { Domain, PhpSettings } from '../types';

type NumberField = keyof PhpSettings['bounds'];
const NUMBERS: readonly { field: NumberField; label: string; unit: string; min: number }[] = [
  { field: 'memory_limit_mb', label: 'Memory limit', unit: 'MiB', min: 32 },
  { field: 'upload_max_filesize_mb', label: 'Largest upload', unit: 'MiB', min: 1 },
  { field: 'post_max_size_mb', label: 'Largest request body', unit: 'MiB', min: 1 },
  { field: 'max_execution_time_seconds', label: 'Longest script run', unit: 'seconds', min: 1 },
  { field: 'max_input_vars', label: 'Most input variables', unit: '', min: 100 },
];
const FIELDS = [...NUMBERS.map((n) => n.field), 'display_errors'] as const;
type Field = (typeof FIELDS)[number];

/** A PHP site's settings (memory, upload sizes, time, input variables, errors shown). */
export function PhpSettingsCard({ domain }: { domain: Domain }) {
  const settings = usePhpSettings(domain.name);
  return (
    <Card title="PHP settings">
      {settings.isPending ? <p className="muted">Loading PHP settings…</p> : null}
      {settings.isError ? (
        <Alert tone="error" title="Could not load the PHP settings">
          {settings.error.message}
        </Alert>
      ) : null}
      {settings.data ? <PhpSettingsForm name={domain.name} current={settings.data} /> : null}
    </Card>
  );
}

function PhpSettingsForm({ name, current }: { name: string; current: PhpSettings }) {
  const mutation = useUpdatePhpSettings(name);
  const errors = useFieldErrors(FIELDS, mutation.error);
  const [values, setValues] = useState(() =>
    Object.fromEntries(NUMBERS.map(({ field }) => [field, String(current[field])])),
  );
  const [displayErrors, setDisplayErrors] = useState(current.display_errors);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<Field, string>> = {};
    for (const { field, min } of NUMBERS) {
      const value = Number(values[field]);
      const bound = current.bounds[field];
      if (!/^[0-9]+$/.test(values[field] ?? '') || value < min || value > bound)
        found[field] = `Enter a whole number from ${min} to ${bound}.`;
    }
    if (!errors.validate(found)) return;
    const changes = Object.fromEntries(NUMBERS.map(({ field }) => [field, Number(values[field])]));
    mutation.mutate(
      { ...changes, display_errors: displayErrors },
      { onSuccess: () => toast.success(`PHP settings of ${name} saved.`) },
    );
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="PHP settings">
      {errors.formError ? <Alert tone="error">{errors.formError}</Alert> : null}
      {NUMBERS.map(({ field, label, unit, min }) => (
        <TextField
          key={field}
          label={label}
          inputMode="numeric"
          value={values[field] ?? ''}
          error={errors.errorFor(field)}
          hint={`${min} to ${current.bounds[field]}${unit ? ` ${unit}` : ''} on your plan`}
          onChange={(e) => {
            errors.markEdited(field);
            setValues((v) => ({ ...v, [field]: e.target.value }));
          }}
        />
      ))}
      <Checkbox
        label="Show errors in pages"
        hint="Errors always go to the PHP error log; showing them to visitors is for development."
        checked={displayErrors}
        error={errors.errorFor('display_errors')}
        onChange={(e) => setDisplayErrors(e.target.checked)}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" pending={mutation.isPending}>
          Save PHP settings
        </Button>
      </div>
    </form>
  );
}
