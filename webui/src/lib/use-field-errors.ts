import { useState } from 'react';
import { splitFormErrors } from '@/lib/form-errors';

type ErrorMap<F extends string> = Partial<Record<F, string | undefined>>;

/**
 * Field errors for a form: its own checks first, then the gateway's problem+json `errors`.
 * A field's server error disappears once the field is edited, and comes back only if the next
 * submit earns it again.
 */
export function useFieldErrors<F extends string>(fieldNames: readonly F[], serverError: unknown) {
  const [client, setClient] = useState<ErrorMap<F>>({});
  const [edited, setEdited] = useState<ReadonlySet<F>>(() => new Set());
  const server = splitFormErrors(serverError, fieldNames);

  return {
    errorFor: (field: F): string | undefined =>
      client[field] ?? (edited.has(field) ? undefined : server.fields[field]),
    formError: server.form,
    /** Call from a field's onChange. */
    markEdited: (field: F) => {
      setClient((c) => (c[field] ? { ...c, [field]: undefined } : c));
      setEdited((s) => (s.has(field) ? s : new Set(s).add(field)));
    },
    /** Records the form's own checks; true when the form may be sent. */
    validate: (errors: ErrorMap<F>): boolean => {
      const found = Object.fromEntries(
        Object.entries(errors).filter(([, message]) => Boolean(message)),
      ) as ErrorMap<F>;
      setClient(found);
      setEdited(new Set());
      return Object.keys(found).length === 0;
    },
  };
}
