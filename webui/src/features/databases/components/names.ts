// Database and user names are "<account>_<rest>": the form shows the prefix and the owner
// types the rest. docs/api.md: lowercase letters, digits and _, databases 64 characters in
// all and users 80.

export const DATABASE_NAME_MAX = 64;
export const USER_NAME_MAX = 80;

export const prefixFor = (account: string) => `${account || 'account'}_`;

export const fullName = (account: string, rest: string) => `${prefixFor(account)}${rest.trim()}`;

/** Checks what the owner typed after the prefix. */
export function nameRestError(account: string, rest: string, max: number): string | undefined {
  const typed = rest.trim();
  if (!typed) return `Enter the rest of the name, after ${prefixFor(account)}.`;
  if (!/^[a-z0-9_]+$/.test(typed)) return 'Use lowercase letters, digits and _ only.';
  const length = fullName(account, typed).length;
  if (length > max) return `The whole name is ${length} characters; ${max} at most.`;
  return undefined;
}

/** The hint under a prefixed name field: the whole name, which is what screen readers need. */
export function nameHint(account: string, rest: string, max: number): string {
  const whole = rest.trim()
    ? `The full name is ${fullName(account, rest)}.`
    : `Names start with ${prefixFor(account)}.`;
  return `${whole} Lowercase letters, digits and _; up to ${max} characters in all.`;
}
