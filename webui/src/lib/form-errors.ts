import { isApiError } from '@/lib/api-error';

export type FormErrors<F extends string> = {
  /** Errors to show beside the named fields. */
  fields: Partial<Record<F, string>>;
  /** What is left for an alert at the top of the form. */
  form: string | undefined;
};

/**
 * Splits a failed mutation's error between the form's own fields and a form-level message.
 * Field errors the form has no input for fall back to the form-level message.
 */
export function splitFormErrors<F extends string>(error: unknown, fieldNames: readonly F[]): FormErrors<F> {
  if (!error) return { fields: {}, form: undefined };
  if (!isApiError(error)) return { fields: {}, form: 'Something went wrong. Try again.' };

  const fields: Partial<Record<F, string>> = {};
  const orphans: string[] = [];
  for (const { field, message } of error.errors) {
    if ((fieldNames as readonly string[]).includes(field)) fields[field as F] ??= message;
    else orphans.push(`${field}: ${message}`);
  }
  const hasFieldErrors = Object.keys(fields).length > 0;
  let form: string | undefined;
  if (orphans.length > 0) form = orphans.join(' ');
  else if (!hasFieldErrors) form = error.detail ?? error.title;
  return { fields, form };
}
