import { Alert, Button, Checkbox, Fieldset, Spinner } from '@/components/ui';
import type { useDatabaseChoices } from '../api/list-database-choices';
import { grantErrorFor, grantField, strayGrantErrors, type Grants } from './grants';

type DatabaseChecklistProps = {
  choices: ReturnType<typeof useDatabaseChoices>;
  grants: Grants;
  errorFor: (field: string) => string | undefined;
  /** Tells the form which field changed, so the server's error about it goes away. */
  markEdited: (field: string) => void;
  disabled?: boolean;
  /** Shown instead of the list while no account is chosen (administrators). */
  placeholder?: string | undefined;
};

/** Which databases a user may use: a box per database of the account. */
export function DatabaseChecklist({
  choices,
  grants,
  errorFor,
  markEdited,
  disabled,
  placeholder,
}: DatabaseChecklistProps) {
  const names = choices.data?.names ?? [];
  const errorOf = grantErrorFor(grants, errorFor);
  const stray = strayGrantErrors(grants, names, errorFor);
  return (
    <Fieldset
      legend="Databases it may use"
      optional
      error={[errorFor('databases'), stray].filter(Boolean).join(' ') || undefined}
      hint={choices.data?.complete === false ? 'Showing the first 1,000 databases.' : undefined}
    >
      {placeholder ? (
        <p className="muted">{placeholder}</p>
      ) : choices.isPending ? (
        <Spinner label="Loading databases…" />
      ) : choices.isError ? (
        <Alert
          tone="error"
          title="Could not load the databases"
          action={
            <Button size="sm" onClick={() => void choices.refetch()}>
              Try again
            </Button>
          }
        >
          {choices.error.message}
        </Alert>
      ) : names.length === 0 ? (
        <p className="muted">There are no databases yet. Create one first, or give access later.</p>
      ) : (
        <div className="check-list">
          {names.map((name) => (
            <Checkbox
              key={name}
              label={<span className="mono">{name}</span>}
              checked={grants.selected.has(name)}
              onChange={(e) => {
                grants.toggle(name, e.target.checked);
                const index = grants.sent.indexOf(name);
                if (index >= 0) markEdited(grantField(index));
              }}
              error={errorOf(name)}
              disabled={disabled}
            />
          ))}
        </div>
      )}
    </Fieldset>
  );
}
